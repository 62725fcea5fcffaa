import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeadLetterSink } from '../../../../eventlib/consumer/deadLetterSink.js';
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

/** A dead-letter sink that records what it writes (once per id, as the adapters' sinks) and can fail N writes. */
function deadLetterSink() {
  const written: { topic: string; event: Envelope }[] = [];
  let failNext = 0;
  const deadLetters: DeadLetterSink = {
    write: async (topic, record) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('broker down');
      }
      if (written.some((w) => w.topic === topic && w.event.id === record.id)) return 'duplicate';
      written.push({ topic, event: record });
      return 'written';
    },
  };
  return { written, deadLetters, failNextWrites: (n: number) => (failNext = n) };
}

function processor(handler: Handler, signal = new AbortController().signal, maxAttempts = 3) {
  const sink = deadLetterSink();
  const p = new MessageProcessor({
    group: 'g1',
    handler,
    retry: { maxAttempts, baseMs: 1, maxMs: 5 },
    deadLetters: sink.deadLetters,
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
    expect(p.stats()).toEqual({
      handled: 1,
      acked: 1,
      skipped: 0,
      retried: 0,
      deadLettered: 0,
      poison: 0,
      unknown: 0,
      alreadyDeadLettered: 0,
      conflicts: 0,
    });
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

  it('gives a poison message one dead-letter id for every group, and a handler dead letter one per group', async () => {
    const ids = (group: string, handler: Handler, value?: string) => {
      const sink = deadLetterSink();
      const p = new MessageProcessor({
        group,
        handler,
        retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
        deadLetters: sink.deadLetters,
        log,
        signal: new AbortController().signal,
      });
      return p.process(message(value)).then(() => sink.written[0]!.event.id);
    };
    expect(await ids('g1', () => undefined, '{not json')).toBe(await ids('g2', () => undefined, '{not json'));
    expect(await ids('g1', () => deadLetter('x'))).not.toBe(await ids('g2', () => deadLetter('x')));
    expect(await ids('g1', () => deadLetter('x'))).toBe(await ids('g1', () => deadLetter('y')));
  });

  it('writes a dead letter the sink already holds (same id) only once, and counts the repeat', async () => {
    const { p, written } = processor(() => deadLetter('x'));
    await p.process(message());
    await p.process(message()); // a replay of the same group
    await p.process(message('{not json'));
    await p.process(message('{not json'));
    expect(written).toHaveLength(2);
    expect(p.stats()).toMatchObject({ deadLettered: 2, poison: 2, alreadyDeadLettered: 2 });
  });

  it('counts and skips poison read from a dead-letter topic instead of dead-lettering it again', async () => {
    const { p, written } = processor(() => undefined);
    const onDlq = { ...message('garbage typed into the dlq'), topic: 'books.dlq' };
    expect(await p.process(onDlq)).toBe('done');
    expect(written).toEqual([]);
    expect(p.stats()).toMatchObject({ poison: 1, handled: 0 });
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
