import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventRegistry,
  decodeMessage,
  INGEST_PRODUCER,
  newEvent,
  type IngestRules,
  type RawMessage,
} from '../../../eventlib/index.js';

const raw = (value: string | null, key: string | null = null, offset = '7'): RawMessage => ({
  topic: 'bookshelf',
  position: { topic: 'bookshelf', partition: 1, offset },
  key,
  value,
  timestamp: Date.parse('2025-03-04T05:06:07.000Z'),
});

// The bookshelf view's rules (SPEC §2): a text line is a book-read of that title; a bare object a book-added.
const bookshelf: IngestRules = {
  text: { type: 'book-read', data: (title) => ({ title }), key: (title) => title },
  bareJson: { type: 'book-added' },
};

const ok = (result: ReturnType<typeof decodeMessage>) => {
  if (!result.ok) throw result.error;
  return result;
};
const poison = (result: ReturnType<typeof decodeMessage>) => {
  if (result.ok) throw new Error(`expected poison, got ${JSON.stringify(result.event)}`);
  return result.error;
};

describe('decodeMessage: SPEC §2 kcat-friendly ingest', () => {
  it('uses a full envelope as is', () => {
    const event = newEvent({ type: 'book-added', key: 'b1', data: { title: 'Dune' } });
    const result = ok(decodeMessage(raw(JSON.stringify(event), 'b1'), { ingest: bookshelf }));
    expect(result).toEqual({ ok: true, event, via: 'envelope' });
  });

  it('wraps a plain text line by the text rule, with a stable id, the broker time and the ingest producer', () => {
    const result = ok(decodeMessage(raw('  The Hobbit\n'), { ingest: bookshelf }));
    expect(result.via).toBe('text');
    expect(result.event).toMatchObject({
      type: 'book-read',
      version: 1,
      key: 'The Hobbit',
      data: { title: 'The Hobbit' },
      occurredAt: '2025-03-04T05:06:07.000Z',
      metadata: { producer: INGEST_PRODUCER },
    });
    expect(result.event.metadata.correlationId).toBe(result.event.id);
    // Redelivery of the same message yields the same id (dedupe by event id keeps working); another offset does not.
    expect(ok(decodeMessage(raw('The Hobbit'), { ingest: bookshelf })).event.id).toBe(result.event.id);
    expect(ok(decodeMessage(raw('The Hobbit', null, '8'), { ingest: bookshelf })).event.id).not.toBe(result.event.id);
  });

  it('treats a JSON string or number line as text', () => {
    expect(ok(decodeMessage(raw('"Emma"'), { ingest: bookshelf })).event.data).toEqual({ title: 'Emma' });
    expect(ok(decodeMessage(raw('1984'), { ingest: bookshelf })).event.data).toEqual({ title: '1984' });
  });

  it('wraps a bare JSON object by the bareJson rule, keyed by the message key', () => {
    const result = ok(decodeMessage(raw('{"title":"Dune","author":"Herbert"}', 'b7'), { ingest: bookshelf }));
    expect(result.via).toBe('bare-json');
    expect(result.event).toMatchObject({ type: 'book-added', key: 'b7', data: { title: 'Dune', author: 'Herbert' } });
  });

  it('accepts function rules and treats a rule that returns undefined as a rejection', () => {
    const rules: IngestRules = {
      bareJson: (object) =>
        typeof object.title === 'string' ? { type: 'book-added', data: object, key: object.title } : undefined,
    };
    expect(ok(decodeMessage(raw('{"title":"Dune"}'), { ingest: rules })).event.key).toBe('Dune');
    expect(poison(decodeMessage(raw('{"name":"x"}'), { ingest: rules })).message).toMatch(/rejected/);
  });

  it('completes a partial envelope (type + data) with the latest registered version', () => {
    const registry = createEventRegistry()
      .register({ type: 'book-added', version: 1, schema: z.object({ title: z.string() }) })
      .register({
        type: 'book-added',
        version: 2,
        schema: z.object({ title: z.string(), copies: z.int() }),
        upcast: (d) => ({ ...(d as object), copies: 1 }),
      });
    const result = ok(
      decodeMessage(raw('{"type":"book-added","data":{"title":"Dune","copies":3}}', 'k'), { registry }),
    );
    expect(result.event).toMatchObject({
      type: 'book-added',
      version: 2,
      key: 'k',
      data: { title: 'Dune', copies: 3 },
    });
    const old = ok(decodeMessage(raw('{"type":"book-added","version":1,"data":{"title":"Emma"}}'), { registry }));
    expect(old.event).toMatchObject({ version: 2, data: { title: 'Emma', copies: 1 } });
  });

  it.each([
    ['broken JSON', '{"title": "Dune"', 'EVT_ERR_DECODE', /broken JSON/],
    ['a JSON array', '[1,2]', 'EVT_ERR_DECODE', /array/],
    ['an empty message', '   ', 'EVT_ERR_DECODE', /empty/],
    ['an envelope with a bad id', '{"id":"x","type":"book-added","data":{}}', 'EVT_ERR_INVALID_EVENT', /id/],
    ['an envelope with a bad type', '{"type":"Book Added","data":{}}', 'EVT_ERR_INVALID_EVENT', /kebab/],
  ])('makes %s poison even with ingest rules', (_what, value, code, message) => {
    const error = poison(decodeMessage(raw(value), { ingest: bookshelf }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('makes input poison when no rule covers it', () => {
    expect(poison(decodeMessage(raw('The Hobbit'))).message).toMatch(/no text ingest rule/);
    expect(poison(decodeMessage(raw('{"title":"Dune"}'))).message).toMatch(/no bareJson ingest rule/);
    expect(poison(decodeMessage(raw(null))).code).toBe('EVT_ERR_DECODE');
  });

  it('validates wrapped and full events against the registry (schema failure = poison)', () => {
    const registry = createEventRegistry().register({
      type: 'book-read',
      version: 1,
      schema: z.object({ title: z.string().min(3) }),
    });
    expect(ok(decodeMessage(raw('Dune'), { ingest: bookshelf, registry })).event.data).toEqual({ title: 'Dune' });
    expect(poison(decodeMessage(raw('It'), { ingest: bookshelf, registry })).code).toBe('EVT_ERR_SCHEMA');
  });

  it('turns a throwing rule into poison instead of crashing the consumer', () => {
    const rules: IngestRules = {
      text: () => {
        throw new Error('rule bug');
      },
    };
    expect(poison(decodeMessage(raw('x'), { ingest: rules })).message).toMatch(/rule bug/);
  });
});
