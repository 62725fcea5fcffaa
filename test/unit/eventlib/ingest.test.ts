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
import { bareJsonAsRead, textLineAsRead } from '../../../aggregates/bookshelf/ingest.js';
import { bookshelfRegistry } from '../../../aggregates/bookshelf/registry.js';

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

  it('treats a JSON string as its text, and lines that merely look like JSON scalars as text', () => {
    expect(ok(decodeMessage(raw('"Emma"'), { ingest: bookshelf })).event.data).toEqual({ title: 'Emma' });
    expect(ok(decodeMessage(raw('"1984"'), { ingest: bookshelf })).event.data).toEqual({ title: '1984' });
    for (const line of ['true story', '-30-', 'nineteen', '"quoted" start', '12 Angry Men'])
      expect(ok(decodeMessage(raw(line), { ingest: bookshelf })).event.data).toEqual({ title: line });
  });

  it.each([
    ['null', 'a JSON null'],
    ['42', 'a JSON number'],
    ['1984', 'a JSON number'],
    ['-1.5e3', 'a JSON number'],
    ['true', 'a JSON boolean'],
    [' false ', 'a JSON boolean'],
    ['[]', 'a JSON array'],
    ['["Dune"]', 'a JSON array'],
  ])('makes the JSON value %j poison: not an object, not a title', (value, what) => {
    const error = poison(decodeMessage(raw(value), { ingest: bookshelf }));
    expect(error.code).toBe('EVT_ERR_DECODE');
    expect(error.message).toContain(`${what} is not an event`);
  });

  it('makes a payload the adapter found not to be UTF-8 poison', () => {
    const bytes = Buffer.from([0x43, 0x61, 0x66, 0xe9]); // "Café" in Latin-1
    const message = { ...raw(bytes.toString('base64')), encoding: 'base64' as const, size: bytes.length };
    const error = poison(decodeMessage(message, { ingest: bookshelf }));
    expect(error).toMatchObject({ code: 'EVT_ERR_DECODE', message: 'the payload is not valid UTF-8' });
  });

  it('makes a message larger than maxEventBytes poison, naming its size and the limit', () => {
    const line = 'é'.repeat(3_000); // 6 000 bytes, 3 000 characters
    expect(ok(decodeMessage(raw(line), { ingest: bookshelf, maxEventBytes: 6_000 })).via).toBe('text');
    const error = poison(decodeMessage(raw(line), { ingest: bookshelf, maxEventBytes: 5_999 }));
    expect(error).toMatchObject({ code: 'EVT_ERR_TOO_LARGE', retriable: false });
    expect(error.message).toBe('message of 6000 bytes is larger than the limit of 5999 bytes (maxEventBytes)');
    // The adapter's byte count wins (Kafka knows it without decoding).
    expect(poison(decodeMessage({ ...raw('x'), size: 7_000 }, { maxEventBytes: 6_000 })).code).toBe(
      'EVT_ERR_TOO_LARGE',
    );
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

describe('the bookshelf ingest rules (aggregates/bookshelf/ingest.ts) on top of decodeMessage', () => {
  const rules: IngestRules = { text: textLineAsRead, bareJson: bareJsonAsRead };
  const registry = bookshelfRegistry();
  const title = (value: string) => {
    const result = ok(decodeMessage(raw(value), { ingest: rules, registry }));
    expect(result.event.type).toBe('book-read');
    return (result.event.data as { title?: string }).title;
  };

  it('reads a plain line and a JSON string as a book-read of that title; keeps tabs', () => {
    expect(title('Dune')).toBe('Dune');
    expect(title('"Dune"')).toBe('Dune');
    expect(title('  Dune\r\n')).toBe('Dune');
    expect(title('War\tand Peace')).toBe('War\tand Peace');
  });

  it.each([
    ['2,000 random bytes (as Redis or memory hand them over)', randomText()],
    ['a NUL byte', 'Du\u0000ne'],
    ['an escape sequence', '\u001b[31mDune'],
    ['a newline inside (several lines in one message)', 'Dune\nEmma'],
    ['DEL', 'Dune\u007f'],
    ['a C1 control', 'Dune\u0085'],
    ['a JSON string with a control character', '"Dune\\u0007"'],
  ])('rejects %s as poison', (_what, value) => {
    const error = poison(decodeMessage(raw(value), { ingest: rules, registry }));
    expect(error.message).toMatch(/rejected/);
  });

  it('makes null, 42 and an array poison (they were titles once)', () => {
    for (const value of ['null', '42', '[1,2]'])
      expect(poison(decodeMessage(raw(value), { ingest: rules })).code).toBe('EVT_ERR_DECODE');
  });
});

/** 2 000 bytes from a fixed seed (xorshift), decoded as UTF-8 the way a string-carrying adapter would. */
function randomText(): string {
  let x = 0x2545f491;
  const bytes = Buffer.alloc(2_000);
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes.toString('utf8');
}
