import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventRegistry, isEventLibError, newEvent, type Envelope } from '../../../eventlib/index.js';

const V1 = z.object({ title: z.string() });
const V2 = z.object({ title: z.string(), author: z.string() });
const V3 = z.object({ title: z.string(), authors: z.array(z.string()) });

const registry = () =>
  createEventRegistry()
    .register({ type: 'book-added', version: 1, schema: V1 })
    .register({
      type: 'book-added',
      version: 3,
      schema: V3,
      upcast: (older, from) => {
        expect(from).toBe(2);
        const v2 = older as z.infer<typeof V2>;
        return { title: v2.title, authors: [v2.author] };
      },
    })
    .register({
      type: 'book-added',
      version: 2,
      schema: V2,
      upcast: (older) => ({ ...(older as z.infer<typeof V1>), author: 'unknown' }),
    });

const event = (version: number, data: unknown) => newEvent({ type: 'book-added', key: 'b1', version, data });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isEventLibError(err) ? err.code : 'not an EventLibError';
  }
  return undefined;
}

describe('event registry', () => {
  it('knows registered types and their latest version, whatever the registration order', () => {
    const r = registry();
    expect(r.types()).toEqual(['book-added']);
    expect(r.latestVersion('book-added')).toBe(3);
    expect(r.has('book-added', 2)).toBe(true);
    expect(r.has('book-added', 4)).toBe(false);
    expect(r.latestVersion('book-read')).toBeUndefined();
  });

  it('validates the current version and returns an equal event', () => {
    const e = event(3, { title: 'Dune', authors: ['Herbert'] });
    expect(registry().parse(e)).toEqual(e);
  });

  it('upcasts older versions step by step to the latest, validating each step', () => {
    const v1 = event(1, { title: 'Dune' });
    expect(registry().parse(v1)).toEqual({ ...v1, version: 3, data: { title: 'Dune', authors: ['unknown'] } });
    const v2 = event(2, { title: 'Emma', author: 'Austen' });
    expect(registry().parse(v2)).toMatchObject({ version: 3, data: { title: 'Emma', authors: ['Austen'] } });
  });

  it('strips fields the schema does not know (zod output), so handlers see the typed shape', () => {
    const parsed = registry().parse(event(3, { title: 'Dune', authors: [], extra: true }));
    expect(parsed.data).toEqual({ title: 'Dune', authors: [] });
  });

  it('treats schema failures, unknown versions and missing upcasters as poison', () => {
    const r = registry();
    expect(codeOf(() => r.parse(event(1, { title: 42 })))).toBe('EVT_ERR_SCHEMA');
    expect(codeOf(() => r.parse(event(9, { title: 'x' })))).toBe('EVT_ERR_UNKNOWN_VERSION');
    const noUpcaster = createEventRegistry()
      .register({ type: 'book-added', version: 1, schema: V1 })
      .register({ type: 'book-added', version: 2, schema: V2 });
    expect(codeOf(() => noUpcaster.parse(event(1, { title: 'x' })))).toBe('EVT_ERR_UNKNOWN_VERSION');
    const throwing = createEventRegistry()
      .register({ type: 'book-added', version: 1, schema: V1 })
      .register({
        type: 'book-added',
        version: 2,
        schema: V2,
        upcast: () => {
          throw new Error('cannot');
        },
      });
    expect(codeOf(() => throwing.parse(event(1, { title: 'x' })))).toBe('EVT_ERR_SCHEMA');
    const badUpcast = createEventRegistry()
      .register({ type: 'book-added', version: 1, schema: V1 })
      .register({ type: 'book-added', version: 2, schema: V2, upcast: (d) => d });
    expect(codeOf(() => badUpcast.parse(event(1, { title: 'x' })))).toBe('EVT_ERR_SCHEMA');
  });

  it('leaves unknown types to the subscription (skip by default, or pass) and rejects them when asked', () => {
    const other: Envelope = newEvent({ type: 'book-read', key: 'k', data: 'anything' });
    expect(registry().parse(other)).toBe(other);
    expect(registry().unknownTypes).toBe('skip');
    expect(createEventRegistry({ unknownTypes: 'pass' }).parse(other)).toBe(other);
    const strict = createEventRegistry({ unknownTypes: 'reject' }).register({
      type: 'book-added',
      version: 1,
      schema: V1,
    });
    expect(codeOf(() => strict.parse(other))).toBe('EVT_ERR_UNKNOWN_TYPE');
  });

  it('safeParse returns the error instead of throwing', () => {
    const result = registry().safeParse(event(1, {}));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('EVT_ERR_SCHEMA');
  });

  it('refuses duplicate registrations, bad type names and bad versions', () => {
    const r = createEventRegistry().register({ type: 'book-added', version: 1, schema: V1 });
    expect(codeOf(() => r.register({ type: 'book-added', version: 1, schema: V1 }))).toBe('EVT_ERR_INVALID_OPTIONS');
    expect(codeOf(() => r.register({ type: 'BookAdded', version: 1, schema: V1 }))).toBe('EVT_ERR_INVALID_OPTIONS');
    expect(codeOf(() => r.register({ type: 'book-read', version: 0, schema: V1 }))).toBe('EVT_ERR_INVALID_OPTIONS');
  });
});
