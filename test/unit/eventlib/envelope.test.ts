import { describe, expect, it } from 'vitest';
import { EnvelopeSchema, isEventLibError, newEvent, parseEnvelope } from '../../../eventlib/index.js';
import { toWireMessages } from '../../../eventlib/envelope.js';
import { stableEventId } from '../../../eventlib/ids.js';

const clock = () => new Date('2025-01-02T03:04:05.678Z');

describe('newEvent', () => {
  it('sets a uuid, the time from the clock, version 1 and a correlation id equal to its own id', () => {
    const event = newEvent({ type: 'book-added', key: 'b1', data: { title: 'Dune' }, producer: 'newbook', clock });
    expect(EnvelopeSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      type: 'book-added',
      version: 1,
      key: 'b1',
      occurredAt: '2025-01-02T03:04:05.678Z',
      data: { title: 'Dune' },
      metadata: { correlationId: event.id, producer: 'newbook' },
    });
    expect(event.metadata.causationId).toBeUndefined();
    expect(newEvent({ type: 'book-added', key: 'b1', data: {} }).id).not.toBe(event.id);
  });

  it('copies the correlation of the event that caused it and points its causation at that event', () => {
    const root = newEvent({ type: 'order-created', key: 'o1', data: {} });
    const child = newEvent({ type: 'stock-reserved', key: 'o1', data: {}, causedBy: root });
    const grandchild = newEvent({ type: 'payment-taken', key: 'o1', data: {}, causedBy: child, version: 2 });
    expect(child.metadata).toMatchObject({ correlationId: root.id, causationId: root.id });
    expect(grandchild.metadata).toMatchObject({ correlationId: root.id, causationId: child.id });
    expect(grandchild.version).toBe(2);
  });

  it('lets explicit correlation and causation ids win', () => {
    const root = newEvent({ type: 'order-created', key: 'o1', data: {} });
    const event = newEvent({
      type: 'x-done',
      key: 'k',
      data: 1,
      causedBy: root,
      correlationId: 'req-1',
      causationId: 'cmd-9',
    });
    expect(event.metadata).toMatchObject({ correlationId: 'req-1', causationId: 'cmd-9' });
  });

  it.each([
    ['a type that is not kebab-case', { type: 'BookAdded' }],
    ['a version below 1', { version: 0 }],
    ['a fractional version', { version: 1.5 }],
    ['an id that is not a uuid', { id: 'nope' }],
  ])('rejects %s with EVT_ERR_INVALID_EVENT', (_what, patch) => {
    expect(() => newEvent({ type: 'book-added', key: 'k', data: {}, ...patch })).toThrow(
      expect.objectContaining({ code: 'EVT_ERR_INVALID_EVENT', retriable: false }),
    );
  });
});

describe('parseEnvelope', () => {
  const valid = newEvent({ type: 'book-read', key: 'k', data: { title: 'Emma' } });

  it('accepts a valid envelope and keeps unknown metadata fields', () => {
    const withTrace = { ...valid, metadata: { ...valid.metadata, traceId: 't-1' } };
    expect(parseEnvelope(JSON.parse(JSON.stringify(withTrace)))).toEqual(withTrace);
  });

  it('defaults missing metadata to {}', () => {
    const { metadata: _m, ...bare } = valid;
    expect(parseEnvelope(bare).metadata).toEqual({});
  });

  it.each([
    ['missing data', (e: Record<string, unknown>) => delete e.data],
    ['a bad timestamp', (e: Record<string, unknown>) => (e.occurredAt = 'yesterday')],
    ['a numeric key', (e: Record<string, unknown>) => (e.key = 5)],
  ])('rejects %s', (_what, mutate) => {
    const broken = structuredClone(valid) as unknown as Record<string, unknown>;
    mutate(broken);
    let error: unknown;
    try {
      parseEnvelope(broken);
    } catch (err) {
      error = err;
    }
    expect(isEventLibError(error, 'EVT_ERR_INVALID_EVENT')).toBe(true);
  });

  it('accepts data that is null or falsy (only a missing data field is an error)', () => {
    for (const data of [null, 0, false, '']) expect(parseEnvelope({ ...valid, data }).data).toBe(data);
  });
});

describe('toWireMessages', () => {
  it('encodes events as JSON keyed by the envelope key and names the bad event', () => {
    const event = newEvent({ type: 'book-read', key: 'k1', data: { title: 'Emma' } });
    const [wire] = toWireMessages([event]);
    expect(wire!.key).toBe('k1');
    expect(JSON.parse(wire!.value)).toEqual(event);
    expect(() => toWireMessages([event, { ...event, id: 'x' }])).toThrow(/event #1 is not a valid envelope/);
  });
});

describe('stableEventId', () => {
  it('is a version-5 layout uuid that depends only on its parts', () => {
    const id = stableEventId('ingest', 'topic', 0, '42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableEventId('ingest', 'topic', 0, '42')).toBe(id);
    expect(stableEventId('ingest', 'topic', 0, '43')).not.toBe(id);
    expect(EnvelopeSchema.shape.id.safeParse(id).success).toBe(true);
  });
});
