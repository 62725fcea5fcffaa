import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MessageProcessor } from '../../../../eventlib/consumer/processor.js';
import {
  DEAD_LETTER_TYPE,
  DeadLetterDataSchema,
  deadLetter,
  newEvent,
  retry,
  skip,
  type Envelope,
  type Handler,
  type Position,
  type Publisher,
  type RawMessage,
} from '../../../../eventlib/index.js';

const log = pino({ level: 'silent' });
const event = newEvent({ type: 'book-added', key: 'b1', data: { title: 'Dune' } });
const message = (value: string | null = JSON.stringify(event)): RawMessage => ({
  topic: 'books',
  position: { topic: 'books', partition: 2, offset: '41' },
  key: 'b1',
  value,
  timestamp: Date.now(),
});

/** A publisher that records dead letters and can be told to fail the next N writes. */
function deadLetterSink() {
  const written: { topic: string; event: Envelope }[] = [];
  let failNext = 0;
  const publisher: Publisher = {
    publish: async (topic, events) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('broker down');
      }
      for (const e of events) written.push({ topic, event: e });
      return events.map((): Position => ({ topic, partition: 0, offset: String(written.length) }));
    },
  };
  return { written, publisher, failNextWrites: (n: number) => (failNext = n) };
}

function processor(handler: Handler, signal = new AbortController().signal, maxAttempts = 3) {
  const sink = deadLetterSink();
  const p = new MessageProcessor({
    group: 'g1',
    handler,
    retry: { maxAttempts, baseMs: 1, maxMs: 5 },
    publisher: sink.publisher,
    log,
    signal,
  });
  return { p, ...sink };
}

describe('MessageProcessor (the one consumer loop shared by every adapter)', () => {
  it('acks when the handler returns nothing, passing position, attempt and a logger', async () => {
    const calls: unknown[] = [];
    const { p, written } = processor(async (e, ctx) => {
      calls.push([e.id, ctx.topic, ctx.position, ctx.attempt, typeof ctx.log.info, ctx.signal.aborted]);
    });
    expect(await p.process(message())).toBe('done');
    expect(calls).toEqual([[event.id, 'books', { topic: 'books', partition: 2, offset: '41' }, 1, 'function', false]]);
    expect(written).toEqual([]);
    expect(p.stats()).toEqual({ handled: 1, acked: 1, skipped: 0, retried: 0, deadLettered: 0, poison: 0, unknown: 0 });
  });

  it('skips without dead-lettering', async () => {
    const { p, written } = processor(() => skip('not mine'));
    expect(await p.process(message())).toBe('done');
    expect(written).toEqual([]);
    expect(p.stats()).toMatchObject({ handled: 1, skipped: 1 });
  });

  it('retries a throwing handler up to maxAttempts, then dead-letters to <topic>.dlq with the last error', async () => {
    let attempts = 0;
    const { p, written } = processor(() => {
      attempts++;
      throw new Error(`fail ${attempts}`);
    });
    expect(await p.process(message())).toBe('done');
    expect(attempts).toBe(3);
    expect(written).toHaveLength(1);
    const [{ topic, event: letter }] = written as [{ topic: string; event: Envelope }];
    expect(topic).toBe('books.dlq');
    expect(letter.type).toBe(DEAD_LETTER_TYPE);
    expect(letter.key).toBe('b1');
    expect(letter.metadata).toMatchObject({ causationId: event.id, correlationId: event.metadata.correlationId });
    expect(DeadLetterDataSchema.parse(letter.data)).toMatchObject({
      cause: 'retries-exhausted',
      reason: 'gave up after 3 attempts: fail 3',
      group: 'g1',
      attempts: 3,
      error: { name: 'Error', message: 'fail 3' },
      source: { topic: 'books', partition: 2, offset: '41', key: 'b1', value: JSON.stringify(event) },
      event,
    });
    expect(p.stats()).toMatchObject({ handled: 1, retried: 2, deadLettered: 1, acked: 0 });
  });

  it('honours retry(reason) like a throw and acks once the handler succeeds', async () => {
    const { p, written } = processor((_e, ctx) => (ctx.attempt < 3 ? retry('busy') : undefined));
    expect(await p.process(message())).toBe('done');
    expect(written).toEqual([]);
    expect(p.stats()).toMatchObject({ acked: 1, retried: 2 });
  });

  it('dead-letters at once on deadLetter(reason) and on errors that are never retried', async () => {
    const explicit = processor(() => deadLetter('unknown book'));
    await explicit.p.process(message());
    expect(DeadLetterDataSchema.parse(explicit.written[0]!.event.data)).toMatchObject({
      cause: 'handler',
      reason: 'unknown book',
      attempts: 1,
    });

    let calls = 0;
    const programming = processor(() => {
      calls++;
      throw new RangeError('index out of range');
    });
    await programming.p.process(message());
    expect(calls).toBe(1);
    expect(DeadLetterDataSchema.parse(programming.written[0]!.event.data)).toMatchObject({
      cause: 'not-retriable',
      error: { name: 'RangeError' },
    });
  });

  it('dead-letters poison without calling the handler, keeping the raw bytes', async () => {
    let called = false;
    const { p, written } = processor(() => {
      called = true;
    });
    expect(await p.process(message('{not json'))).toBe('done');
    expect(called).toBe(false);
    const data = DeadLetterDataSchema.parse(written[0]!.event.data);
    expect(data).toMatchObject({ cause: 'poison', attempts: 0, source: { value: '{not json' } });
    expect(data.event).toBeUndefined();
    expect(p.stats()).toMatchObject({ poison: 1, handled: 0 });
  });

  it('gives the same dead-letter id to the same message (a rewrite after a crash is recognisable)', async () => {
    const a = processor(() => deadLetter('x'));
    await a.p.process(message());
    await a.p.process(message());
    expect(a.written[0]!.event.id).toBe(a.written[1]!.event.id);
  });

  it('keeps trying to write a dead letter while the broker is down, then continues', async () => {
    const { p, written, failNextWrites } = processor(() => deadLetter('x'));
    failNextWrites(2);
    expect(await p.process(message())).toBe('done');
    expect(written).toHaveLength(1);
  });

  it('stops at once when closed: no handler call, and a pending backoff ends unacknowledged', async () => {
    const controller = new AbortController();
    let calls = 0;
    const { p, written } = processor(
      () => {
        calls++;
        controller.abort();
        throw new Error('fails, and meanwhile the subscription closes');
      },
      controller.signal,
      10,
    );
    expect(await p.process(message())).toBe('aborted');
    expect(calls).toBe(1);
    expect(written).toEqual([]);
    expect(await p.process(message())).toBe('aborted');
    expect(calls).toBe(1);
  });

  it('dead-letters an invalid outcome instead of acking it silently', async () => {
    const { p, written } = processor((() => ({ kind: 'maybe' })) as unknown as Handler);
    await p.process(message());
    expect(DeadLetterDataSchema.parse(written[0]!.event.data).reason).toMatch(/invalid outcome/);
  });
});
