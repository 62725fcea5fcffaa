import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEAD_LETTER_TYPE, DeadLetterDataSchema, type DeadLetterData } from '../consumer/deadLetter.js';
import { streamIdOrder } from '../consumer/progress.js';
import { newEvent, type Envelope } from '../envelope.js';
import { isEventLibError } from '../errors.js';
import { INGEST_PRODUCER } from '../ingest.js';
import type { BusOptions } from '../options.js';
import { deadLetter, retry, skip, type EventBus, type Handler, type Position, type Subscription } from '../port.js';
import { createEventRegistry } from '../registry.js';
import { gate, uniqueName, waitFor } from './wait.js';

/** Identifies one test: buses made with the same context share one log (memory: one journal file). */
export interface BusContext {
  testId: string;
}

/** Bus options a test sets on top of the adapter's own (every adapter must honour them). */
export interface BusOverrides {
  maxEventBytes?: number;
}

export type MakeBus = (ctx: BusContext, overrides?: BusOverrides) => Promise<EventBus>;

/** The real differences between adapters; the tests themselves are the same for all. */
export interface EventBusContractOptions {
  /** Partitions for test topics. Above 1, the ordering test also checks that events spread over partitions. */
  partitions: number;
  /** Writes raw lines as an operator would (`kcat -P`, `redis-cli XADD`, the memory bus's publishRaw). */
  pushRaw(bus: EventBus, topic: string, lines: readonly string[]): Promise<void>;
  /** JSON-serialisable options for a bus in a child process, sharing the log of `makeBus(ctx)`. */
  childBusOptions(ctx: BusContext): BusOptions;
  /**
   * true: several processes use the log at once (Kafka, Redis), so a survivor runs beside the killed consumer.
   * false: one process owns the log (memory journal), so the survivor opens it after the kill.
   */
  sharedAcrossProcesses: boolean;
  /** How long a dead member's events may take to reach the survivor (session timeout, claim idle time...). */
  takeoverTimeoutMs: number;
  /**
   * Whether per-key order survives a member's death. Kafka and memory move whole partitions (yes); Redis reclaims
   * single entries, so a survivor may handle a dead member's entry after later entries of the same key (no).
   */
  keyOrderAcrossTakeover: boolean;
  /**
   * `enforced`: an existing topic whose partition count differs from the one `ensureTopic` declares is
   * EVT_ERR_TOPIC_MISMATCH (Kafka, memory). `ignored`: the log has no partitions to compare (Redis streams).
   */
  declaredPartitions: 'enforced' | 'ignored';
  /** Events in the ordering test; 10 000 unless given. */
  orderingEvents?: number;
  /** Bound for ordinary waits; 30 s unless given. */
  timeoutMs?: number;
}

interface Seen {
  event: Envelope;
  position: Position;
  attempt: number;
  at: number;
}

const BookSchema = z.object({ key: z.string(), seq: z.int() });
// From source (tsx) the child is a .ts file; from the published package (dist/) a .js one.
const COMPILED = import.meta.url.endsWith('.js');
const CHILD_SCRIPT = fileURLToPath(new URL(COMPILED ? './childConsumer.js' : './childConsumer.ts', import.meta.url));
const CHILD_ARGS = COMPILED ? [CHILD_SCRIPT] : ['--import', 'tsx', CHILD_SCRIPT];
const KEYS = 8;

const book = (key: string, seq: number) =>
  newEvent({ type: 'book-added', key, data: { key, seq }, producer: 'contract' });
const dataOf = (seen: Seen) => seen.event.data as { key: string; seq: number };

function recorder(onEvent?: (seen: Seen, all: Seen[]) => Promise<void> | void): { seen: Seen[]; handler: Handler } {
  const seen: Seen[] = [];
  return {
    seen,
    handler: async (event, ctx) => {
      const entry = { event, position: ctx.position, attempt: ctx.attempt, at: Date.now() };
      seen.push(entry);
      await onEvent?.(entry, seen);
    },
  };
}

/** An offset far beyond anything written in a test, in the adapter's own format. */
function laterOffset(offset: string): string {
  const [major = '0', minor] = offset.split('-');
  return minor === undefined ? (BigInt(major) + 1_000_000n).toString() : `${BigInt(major) + 1_000_000_000n}-0`;
}

/**
 * The event-bus contract: every adapter must pass these tests unchanged. Call it from one small test file per
 * adapter (`*.test.ts` for memory, `*.int.test.ts` for Kafka and Redis against the real servers).
 */
export function describeEventBus(name: string, makeBus: MakeBus, options: EventBusContractOptions): void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const orderingEvents = options.orderingEvents ?? 10_000;

  describe(`event bus contract: ${name}`, () => {
    let ctx: BusContext;
    let buses: EventBus[] = [];
    let children: ChildProcess[] = [];

    const open = async (overrides?: BusOverrides): Promise<EventBus> => {
      const bus = await makeBus(ctx, overrides);
      buses.push(bus);
      return bus;
    };
    const newTopic = async (bus: EventBus): Promise<string> => {
      const topic = uniqueName('contract');
      await bus.ensureTopic(topic, { partitions: options.partitions });
      return topic;
    };
    const readDeadLetters = async (
      bus: EventBus,
      topic: string,
      count: number,
    ): Promise<Envelope<DeadLetterData>[]> => {
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [`${topic}.dlq`], group: uniqueName('dlq-reader'), handler });
      await waitFor(() => seen.length >= count, { timeoutMs, what: `${count} dead letters on ${topic}.dlq` });
      await sub.waitUntilCaughtUp(timeoutMs);
      await sub.close();
      expect(seen).toHaveLength(count);
      return seen.map((s) => {
        expect(s.event.type).toBe(DEAD_LETTER_TYPE);
        return { ...s.event, data: DeadLetterDataSchema.parse(s.event.data) };
      });
    };

    beforeEach(() => {
      ctx = { testId: uniqueName(name) };
    });

    afterEach(async () => {
      for (const child of children) child.kill('SIGKILL');
      children = [];
      await Promise.allSettled(buses.map((b) => b.close()));
      buses = [];
    });

    it('publishes envelopes unchanged, one position per event, readable through waitForPosition', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const events = [book('a', 0), book('b', 0), book('c', 0)];
      const positions = await bus.publish(topic, events);
      expect(positions).toHaveLength(3);
      for (const p of positions) expect(p.topic).toBe(topic);

      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler });
      for (const p of positions) await sub.waitForPosition(p, timeoutMs);
      expect(positions.every((p) => sub.hasProcessed(p))).toBe(true);
      const byId = new Map(seen.map((s) => [s.event.id, s]));
      events.forEach((event, i) => {
        expect(byId.get(event.id)?.event).toEqual(event);
        expect(byId.get(event.id)?.position).toEqual(positions[i]);
      });
      expect(seen).toHaveLength(3);

      await expect(
        sub.waitForPosition({ ...positions[0]!, offset: laterOffset(positions[0]!.offset) }, 200),
      ).rejects.toSatisfy((err) => isEventLibError(err, 'EVT_ERR_TIMEOUT'));
      await expect(sub.waitForPosition({ topic: 'elsewhere', partition: 0, offset: '0' })).rejects.toSatisfy((err) =>
        isEventLibError(err, 'EVT_ERR_INVALID_OPTIONS'),
      );
      await expect(bus.publish(topic, [{ ...book('a', 1), type: 'Not Kebab' }])).rejects.toSatisfy((err) =>
        isEventLibError(err, 'EVT_ERR_INVALID_EVENT'),
      );
      await expect(bus.subscribe({ topics: [], group: 'g', handler })).rejects.toSatisfy((err) =>
        isEventLibError(err, 'EVT_ERR_INVALID_OPTIONS'),
      );
    });

    it('refuses a declared partition count that differs from the existing topic, also from a new bus instance', async () => {
      let bus = await open();
      const topic = await newTopic(bus);
      const other = options.partitions + 1;
      await bus.ensureTopic(topic, { partitions: options.partitions });
      await bus.ensureTopic(topic); // no declared count (publish, subscribe): the topic as it is
      if (options.declaredPartitions === 'ignored') {
        await bus.ensureTopic(topic, { partitions: other });
        const [p] = await bus.publish(topic, [book('a', 0)]);
        expect(p!.partition).toBe(0);
        return;
      }
      const refused = bus.ensureTopic(topic, { partitions: other });
      await expect(refused).rejects.toMatchObject({ code: 'EVT_ERR_TOPIC_MISMATCH', retriable: false });
      await expect(refused).rejects.toThrow(
        new RegExp(`topic ${topic} has ${options.partitions} partitions but is declared with ${other}`),
      );
      // Another process (or this one restarted) checks the log, not a cache.
      if (!options.sharedAcrossProcesses) await bus.close();
      bus = await open();
      await expect(bus.ensureTopic(topic, { partitions: other })).rejects.toMatchObject({
        code: 'EVT_ERR_TOPIC_MISMATCH',
      });
      await bus.publish(topic, [book('a', 0)]);
    });

    it(`keeps per-key order for ${orderingEvents} events over ${KEYS} keys${options.partitions > 1 ? ' and several partitions' : ''}`, async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const events = Array.from({ length: orderingEvents }, (_, i) => book(`key-${i % KEYS}`, Math.floor(i / KEYS)));
      const positions: Position[] = [];
      for (let i = 0; i < events.length; i += 1_000)
        positions.push(...(await bus.publish(topic, events.slice(i, i + 1_000))));
      expect(positions).toHaveLength(orderingEvents);

      // Positions of one key: one partition, strictly increasing offsets.
      const byKey = new Map<string, Position[]>();
      positions.forEach((p, i) => byKey.set(events[i]!.key, [...(byKey.get(events[i]!.key) ?? []), p]));
      for (const list of byKey.values()) {
        expect(new Set(list.map((p) => p.partition)).size).toBe(1);
        for (let i = 1; i < list.length; i++)
          expect(streamIdOrder(list[i - 1]!.offset, list[i]!.offset)).toBeLessThan(0);
      }
      if (options.partitions > 1) expect(new Set(positions.map((p) => p.partition)).size).toBeGreaterThan(1);

      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler });
      await waitFor(() => seen.length >= orderingEvents, {
        timeoutMs: timeoutMs * 2,
        what: `${orderingEvents} events`,
      });
      await sub.waitUntilCaughtUp(timeoutMs);
      expect(seen).toHaveLength(orderingEvents);
      const received = new Map<string, number[]>();
      for (const s of seen) received.set(dataOf(s).key, [...(received.get(dataOf(s).key) ?? []), dataOf(s).seq]);
      for (let k = 0; k < KEYS; k++) {
        expect(received.get(`key-${k}`)).toEqual(Array.from({ length: orderingEvents / KEYS }, (_, i) => i));
      }
    });

    it('resumes a restarted group after its last acknowledgement, with what was published while it was down', async () => {
      let bus = await open();
      const topic = await newTopic(bus);
      const group = uniqueName('g');
      const first = Array.from({ length: 20 }, (_, i) => book('only-key', i));
      await bus.publish(topic, first);

      // Run 1 stops while event #11 is in its handler: close must wait for it and record its outcome.
      const held = gate();
      const entered = gate();
      let handlerFinished = false;
      const run1 = recorder(async (_s, all) => {
        if (all.length === 11) {
          entered.open();
          await held.promise;
          handlerFinished = true;
        }
      });
      const sub1 = await bus.subscribe({ topics: [topic], group, handler: run1.handler });
      await entered.promise;
      const closing = sub1.close().then(() => handlerFinished);
      setImmediate(() => held.open());
      expect(await closing).toBe(true);
      expect(run1.seen.map(dataOf).map((d) => d.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i));
      await bus.close();

      // While the group is down, more events arrive (through another bus instance).
      bus = await open();
      const later = Array.from({ length: 5 }, (_, i) => book('only-key', 20 + i));
      await bus.publish(topic, later);
      await bus.close();

      bus = await open();
      const run2 = recorder();
      const sub2 = await bus.subscribe({ topics: [topic], group, handler: run2.handler });
      await waitFor(() => run2.seen.length >= 14, { timeoutMs, what: 'the restarted group to receive 14 events' });
      await sub2.waitUntilCaughtUp(timeoutMs);
      expect(run2.seen.map(dataOf).map((d) => d.seq)).toEqual(Array.from({ length: 14 }, (_, i) => 11 + i));
    });

    it('shares the work between two members of one group, each event handled once', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const group = uniqueName('g');
      const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
      const a = recorder(slow);
      const b = recorder(slow);
      const subA = await bus.subscribe({ topics: [topic], group, handler: a.handler });
      await subA.waitUntilCaughtUp(timeoutMs);
      const subB = await bus.subscribe({ topics: [topic], group, handler: b.handler });
      await subB.waitUntilCaughtUp(timeoutMs);
      await subA.waitUntilCaughtUp(timeoutMs);

      const events = Array.from({ length: 240 }, (_, i) => book(`key-${i % 24}`, Math.floor(i / 24)));
      await bus.publish(topic, events);
      await waitFor(() => a.seen.length + b.seen.length >= events.length, {
        timeoutMs,
        what: 'both members to finish',
      });
      await Promise.all([subA.waitUntilCaughtUp(timeoutMs), subB.waitUntilCaughtUp(timeoutMs)]);

      expect(a.seen.length).toBeGreaterThan(0);
      expect(b.seen.length).toBeGreaterThan(0);
      const ids = [...a.seen, ...b.seen].map((s) => s.event.id);
      expect(ids).toHaveLength(events.length);
      expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    });

    it(
      'hands the unacknowledged events of a consumer killed with SIGKILL mid-batch to the rest of the group',
      async () => {
        let bus = await open();
        const topic = await newTopic(bus);
        const group = uniqueName('g');
        const events = Array.from({ length: 40 }, (_, i) => book(`key-${i % 4}`, Math.floor(i / 4)));
        await bus.publish(topic, events);
        if (!options.sharedAcrossProcesses) await bus.close();

        const child = spawn(process.execPath, CHILD_ARGS, {
          env: {
            ...process.env,
            EVENTLIB_CHILD: JSON.stringify({ bus: options.childBusOptions(ctx), topic, group, stuckAfter: 5 }),
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
        const childHandled = new Set<string>();
        let stuck: string | undefined;
        createInterface({ input: child.stdout }).on('line', (line) => {
          const message = JSON.parse(line) as { handled?: string; stuck?: string };
          if (message.handled) childHandled.add(message.handled);
          if (message.stuck) stuck = message.stuck;
        });
        const exited = new Promise((resolve) => child.once('exit', resolve));
        await waitFor(() => stuck, { timeoutMs, what: 'the child consumer to be mid-batch' });
        expect(childHandled.size).toBe(5);

        const survivor = recorder();
        let sub: Subscription | undefined;
        if (options.sharedAcrossProcesses)
          sub = await bus.subscribe({ topics: [topic], group, handler: survivor.handler });
        child.kill('SIGKILL');
        await exited;
        if (!options.sharedAcrossProcesses) {
          bus = await open();
          sub = await bus.subscribe({ topics: [topic], group, handler: survivor.handler });
        }

        const orphaned = events.filter((e) => !childHandled.has(e.id)).map((e) => e.id);
        expect(orphaned).toContain(stuck);
        const survived = () => new Set(survivor.seen.map((s) => s.event.id));
        await waitFor(() => orphaned.every((id) => survived().has(id)), {
          timeoutMs: options.takeoverTimeoutMs,
          what: 'the group to handle every event the killed consumer had not finished',
        });
        await sub!.waitUntilCaughtUp(timeoutMs);
        if (!options.keyOrderAcrossTakeover) return;
        // Per-key order still holds for what the survivor handled.
        for (let k = 0; k < 4; k++) {
          const seqs = survivor.seen.filter((s) => dataOf(s).key === `key-${k}`).map((s) => dataOf(s).seq);
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        }
      },
      Math.max(60_000, options.takeoverTimeoutMs + 30_000),
    );

    it('retries a throwing handler with growing backoff, then dead-letters the event with the error; later events flow', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const [ok1, bad, ok2] = [book('same', 0), book('same', 1), book('same', 2)];
      const { seen, handler } = recorder((s) => {
        if (s.event.id === bad.id) throw new Error(`boom on attempt ${s.attempt}`);
      });
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('g'),
        handler,
        retry: { maxAttempts: 3, baseMs: 40, maxMs: 1_000 },
      });
      const positions = await bus.publish(topic, [ok1, bad, ok2]);
      await sub.waitForPosition(positions[2]!, timeoutMs);

      expect(seen.map((s) => [dataOf(s).seq, s.attempt])).toEqual([
        [0, 1],
        [1, 1],
        [1, 2],
        [1, 3],
        [2, 1],
      ]);
      const attempts = seen.filter((s) => s.event.id === bad.id).map((s) => s.at);
      // Equal jitter: the n-th wait is in [base*2^(n-1)/2, base*2^(n-1)].
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(20 - 2);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(40 - 2);
      expect(sub.stats()).toMatchObject({ retried: 2, deadLettered: 1, acked: 2, poison: 0 });

      const [letter] = await readDeadLetters(bus, topic, 1);
      expect(letter!.data).toMatchObject({
        cause: 'retries-exhausted',
        attempts: 3,
        error: { name: 'Error', message: 'boom on attempt 3' },
        source: { topic, partition: positions[1]!.partition, offset: positions[1]!.offset, key: 'same' },
      });
      expect(letter!.data.event).toEqual(bad);
      expect(letter!.metadata.causationId).toBe(bad.id);
    });

    it('applies skip, dead-letter and retry outcomes, and never retries programming errors', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const calls: [number, number][] = [];
      const handler: Handler = async (event, ctx) => {
        const { seq } = event.data as { seq: number };
        calls.push([seq, ctx.attempt]);
        if (seq === 0) return skip('not mine');
        if (seq === 1) return deadLetter('no such book');
        if (seq === 2 && ctx.attempt === 1) return retry('not yet');
        if (seq === 3) throw new TypeError('cannot read properties of undefined');
        return undefined;
      };
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('g'),
        handler,
        retry: { maxAttempts: 5, baseMs: 5, maxMs: 20 },
      });
      const positions = await bus.publish(
        topic,
        [0, 1, 2, 3, 4].map((seq) => book('k', seq)),
      );
      await sub.waitForPosition(positions[4]!, timeoutMs);
      expect(calls).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
        [2, 2],
        [3, 1],
        [4, 1],
      ]);
      expect(sub.stats()).toMatchObject({ handled: 5, acked: 2, skipped: 1, retried: 1, deadLettered: 2 });
      const letters = await readDeadLetters(bus, topic, 2);
      const bySeq = new Map(letters.map((l) => [(l.data.event?.data as { seq: number }).seq, l.data]));
      expect(bySeq.get(1)).toMatchObject({ cause: 'handler', reason: 'no such book', attempts: 1 });
      expect(bySeq.get(3)).toMatchObject({ cause: 'not-retriable', attempts: 1, error: { name: 'TypeError' } });
    });

    it('handleBatch: a backlog comes in runs of several events, in order per partition, none twice, at most maxBatch', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const events = Array.from({ length: 200 }, (_, seq) => book(`k${seq % KEYS}`, seq));
      const positions = await bus.publish(topic, events);
      const batches: { partition: number; seqs: number[]; positions: readonly Position[] }[] = [];
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('g'),
        maxBatch: 50,
        handleBatch: (batch, ctx) => {
          batches.push({
            partition: ctx.partition,
            seqs: batch.map((e) => (e.data as { seq: number }).seq),
            positions: ctx.positions,
          });
        },
      });
      await sub.waitUntilCaughtUp(timeoutMs);
      for (const position of positions) expect(sub.hasProcessed(position)).toBe(true);
      const all = batches.flatMap((b) => b.seqs);
      expect([...all].sort((a, b) => a - b)).toEqual(events.map((_, seq) => seq));
      expect(batches.every((b) => b.seqs.length <= 50 && b.seqs.length === b.positions.length)).toBe(true);
      expect(batches.every((b) => b.positions.every((p) => p.partition === b.partition && p.topic === topic))).toBe(
        true,
      );
      // The backlog was there before the subscription: it is not handed over one event at a time.
      expect(batches.some((b) => b.seqs.length > 1)).toBe(true);
      for (const partition of new Set(batches.map((b) => b.partition))) {
        const seqs = batches.filter((b) => b.partition === partition).flatMap((b) => b.seqs);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
      expect(sub.stats()).toMatchObject({ handled: 200, acked: 200, deadLettered: 0 });
    });

    it('handleBatch: a throw retries the whole batch; per-event outcomes ack, skip and dead-letter; then it gives up', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const attempts: number[] = [];
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('g'),
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 },
        handleBatch: (batch, ctx) => {
          const seqs = batch.map((e) => (e.data as { seq: number }).seq);
          if (seqs.includes(9)) throw new Error('the store is down');
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error('transient');
          return seqs.map((seq) =>
            seq === 1 ? deadLetter('no such book') : seq === 2 ? skip('not mine') : { kind: 'ack' as const },
          );
        },
      });
      const first = await bus.publish(
        topic,
        [0, 1, 2].map((seq) => book('same', seq)),
      );
      await sub.waitForPosition(first[2]!, timeoutMs);
      expect(attempts.slice(0, 2)).toEqual([1, 2]);
      expect(sub.stats()).toMatchObject({ acked: 1, skipped: 1, deadLettered: 1, retried: 1 });
      const [letter] = await readDeadLetters(bus, topic, 1);
      expect(letter!.data).toMatchObject({ cause: 'handler', reason: 'no such book' });
      const [last] = await bus.publish(topic, [book('same', 9)]);
      await sub.waitForPosition(last!, timeoutMs);
      const letters = await readDeadLetters(bus, topic, 2);
      expect(letters.map((l) => l.data.cause).sort()).toEqual(['handler', 'retries-exhausted']);
    });

    it('handleBatch or handler, exactly one: both or neither is EVT_ERR_INVALID_OPTIONS', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const handler = () => undefined;
      for (const bad of [{}, { handler, handleBatch: handler }]) {
        const err = await bus.subscribe({ topics: [topic], group: uniqueName('g'), ...bad }).catch((e: unknown) => e);
        expect(isEventLibError(err) && err.code).toBe('EVT_ERR_INVALID_OPTIONS');
      }
    });

    it('dead-letters raw poison (broken JSON, schema failure, unknown version, text without a rule) and keeps going', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const registry = createEventRegistry().register({ type: 'book-added', version: 1, schema: BookSchema });
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler, registry });
      const poison = [
        '{"broken": json',
        '{"type":"book-added","data":{"key":"k","seq":"not a number"}}',
        '{"type":"book-added","version":7,"data":{"key":"k","seq":1}}',
        'just some text',
      ];
      await options.pushRaw(bus, topic, poison);
      const [good] = await bus.publish(topic, [book('k', 9)]);
      await waitFor(() => seen.length === 1, { timeoutMs, what: 'the good event after the poison' });
      await sub.waitUntilCaughtUp(timeoutMs);
      expect(dataOf(seen[0]!)).toEqual({ key: 'k', seq: 9 });
      expect(sub.hasProcessed(good!)).toBe(true);
      expect(sub.stats()).toMatchObject({ poison: 4, acked: 1 });

      const letters = await readDeadLetters(bus, topic, 4);
      expect(letters.map((l) => l.data.cause)).toEqual(['poison', 'poison', 'poison', 'poison']);
      expect(new Set(letters.map((l) => l.data.source.value))).toEqual(new Set(poison));
      const reasons = letters.map((l) => l.data.reason).join('\n');
      expect(reasons).toMatch(/broken JSON/);
      expect(reasons).toMatch(/book-added version 1 data is invalid/);
      expect(reasons).toMatch(/version 7 is not registered/);
      expect(reasons).toMatch(/no text ingest rule/);
    });

    it('dead-letters a poison message once per topic (not per group, not again on replays); a handler dead letter once per group', async () => {
      let bus = await open();
      const topic = await newTopic(bus);
      const registry = createEventRegistry().register({ type: 'book-added', version: 1, schema: BookSchema });
      const poisonLine = '{"broken": json';
      await options.pushRaw(bus, topic, [poisonLine]);
      const doomed = book('k', 1);
      const positions = await bus.publish(topic, [doomed, book('k', 2)]);
      const settled = async (sub: Subscription) => {
        for (const p of positions) await sub.waitForPosition(p, timeoutMs);
        await waitFor(() => sub.stats().poison === 1, { timeoutMs, what: 'the poison message' });
        await sub.waitUntilCaughtUp(timeoutMs);
        return sub.stats();
      };

      // Three groups read the poison message at the same time.
      const groups = await Promise.all(
        [1, 2, 3].map(() =>
          bus.subscribe({ topics: [topic], group: uniqueName('g'), registry, handler: () => undefined }),
        ),
      );
      const stats = await Promise.all(groups.map(settled));
      expect(stats.map((s) => s.alreadyDeadLettered).sort()).toEqual([0, 1, 1]);

      // A view that replays the log at every start, restarted twice (a new bus each time, as a new process), and
      // whose handler dead-letters one event: that record is written once for the view's group.
      const view = uniqueName('view');
      const viewHandler: Handler = (event) => (event.id === doomed.id ? deadLetter('cannot apply') : undefined);
      for (let run = 1; run <= 3; run++) {
        if (run > 1) {
          await bus.close();
          bus = await open();
        }
        const sub = await bus.subscribe({ topics: [topic], group: view, replay: true, registry, handler: viewHandler });
        expect(await settled(sub)).toMatchObject({
          poison: 1,
          deadLettered: 1,
          alreadyDeadLettered: run === 1 ? 1 : 2,
        });
        await sub.close();
      }

      const letters = await readDeadLetters(bus, topic, 2);
      const poisonLetter = letters.find((l) => l.data.cause === 'poison')!;
      expect(poisonLetter.data.source.value).toBe(poisonLine);
      expect(letters.find((l) => l.data.cause === 'handler')!.data).toMatchObject({
        group: view,
        reason: 'cannot apply',
        event: doomed,
      });
    });

    it('counts events of a type its registry does not know: skipped without the handler, never silently', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const registry = createEventRegistry().register({ type: 'book-added', version: 1, schema: BookSchema });
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler, registry });
      const stranger = newEvent({ type: 'book-removed', key: 'k', data: { key: 'k' }, producer: 'contract' });
      const positions = await bus.publish(topic, [stranger, book('k', 1)]);
      for (const p of positions) await sub.waitForPosition(p, timeoutMs);
      expect(seen.map((s) => s.event.type)).toEqual(['book-added']);
      expect(sub.stats()).toMatchObject({ unknown: 1, skipped: 1, acked: 1, handled: 2, poison: 0 });

      // A registry that passes unknown types hands them over, and still counts them.
      const passing = recorder();
      const sub2 = await bus.subscribe({
        topics: [topic],
        group: uniqueName('g'),
        handler: passing.handler,
        registry: createEventRegistry({ unknownTypes: 'pass' }).register({
          type: 'book-added',
          version: 1,
          schema: BookSchema,
        }),
      });
      for (const p of positions) await sub2.waitForPosition(p, timeoutMs);
      expect(passing.seen.map((s) => s.event.type)).toEqual(['book-removed', 'book-added']);
      expect(sub2.stats()).toMatchObject({ unknown: 1, acked: 2 });
    });

    it('enforces maxEventBytes: publish refuses a larger envelope before writing; a larger message is poison', async () => {
      const limit = 4_096;
      const bus = await open({ maxEventBytes: limit });
      const topic = await newTopic(bus);
      const large = newEvent({ type: 'book-added', key: 'k', data: { key: 'k', seq: 1, pad: 'é'.repeat(2_500) } });
      const refused = bus.publish(topic, [book('k', 0), large]);
      await expect(refused).rejects.toMatchObject({ code: 'EVT_ERR_TOO_LARGE', retriable: false });
      await expect(refused).rejects.toThrow(
        new RegExp(`${large.id}\\) is \\d+ bytes encoded, more than maxEventBytes \\(${limit}\\)`),
      );

      // Raw input larger than the limit (an envelope that would otherwise be fine) is poison, its dead letter cut.
      const oversized = JSON.stringify({ type: 'book-added', data: { key: 'k', seq: 2, pad: 'x'.repeat(6_000) } });
      await options.pushRaw(bus, topic, [oversized]);
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler });
      const [good] = await bus.publish(topic, [book('k', 3)]);
      await sub.waitForPosition(good!, timeoutMs);
      await waitFor(() => sub.stats().poison === 1, { timeoutMs, what: 'the oversized message' }); // any partition
      await sub.waitUntilCaughtUp(timeoutMs);
      // Nothing of the refused publish was written: only the good event reached the handler.
      expect(seen.map(dataOf)).toEqual([{ key: 'k', seq: 3 }]);
      expect(sub.stats()).toMatchObject({ poison: 1, acked: 1 });
      const [letter] = await readDeadLetters(bus, topic, 1);
      expect(letter!.data.reason).toBe(
        `message of ${Buffer.byteLength(oversized)} bytes is larger than the limit of ${limit} bytes (maxEventBytes)`,
      );
      expect(letter!.data.error?.code).toBe('EVT_ERR_TOO_LARGE');
      expect(letter!.data.source).toMatchObject({ truncated: true, size: Buffer.byteLength(oversized) });
      expect(oversized.startsWith(letter!.data.source.value!)).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThanOrEqual(limit);
    });

    it('wraps raw kcat-style input by the subscription ingest rules (text line, bare JSON, partial envelope)', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('g'),
        handler,
        ingest: {
          text: { type: 'book-read', data: (title) => ({ title }), key: (title) => title },
          bareJson: { type: 'book-added' },
        },
      });
      await options.pushRaw(bus, topic, [
        'The Hobbit',
        '{"title":"Dune"}',
        '{"type":"book-read","data":{"title":"Emma"}}',
      ]);
      await waitFor(() => seen.length === 3, { timeoutMs, what: 'three wrapped events' });
      await sub.waitUntilCaughtUp(timeoutMs);
      const byType = seen
        .map((s) => [s.event.type, s.event.data])
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(byType).toEqual([
        ['book-added', { title: 'Dune' }],
        ['book-read', { title: 'Emma' }],
        ['book-read', { title: 'The Hobbit' }],
      ]);
      for (const s of seen) {
        expect(s.event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(s.event.metadata.producer).toBe(INGEST_PRODUCER);
      }
      expect(
        seen.find((s) => s.event.data && (s.event.data as { title: string }).title === 'The Hobbit')?.event.key,
      ).toBe('The Hobbit');
    });

    it('reports lag and caught-up correctly before, while and after catching up', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      await bus.publish(
        topic,
        Array.from({ length: 30 }, (_, i) => book(`key-${i % 5}`, i)),
      );
      let held = gate();
      let entered = gate();
      const { seen, handler } = recorder(async () => {
        entered.open();
        await held.promise;
      });
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler });
      await entered.promise;
      expect(sub.caughtUp()).toBe(false);
      expect(await sub.lag()).toBe(30);

      const release = held;
      held = { promise: Promise.resolve(), open: () => undefined };
      release.open();
      await sub.waitUntilCaughtUp(timeoutMs);
      expect(seen).toHaveLength(30);
      expect(sub.caughtUp()).toBe(true);
      expect(await sub.lag()).toBe(0);

      // New events: the subscription notices it is behind, then catches up again.
      held = gate();
      entered = gate();
      await bus.publish(
        topic,
        Array.from({ length: 5 }, (_, i) => book(`key-${i}`, 100 + i)),
      );
      await entered.promise;
      expect(sub.caughtUp()).toBe(false);
      expect(await sub.lag()).toBe(5);
      held.open();
      await sub.waitUntilCaughtUp(timeoutMs);
      expect(seen).toHaveLength(35);
      expect(await sub.lag()).toBe(0);
    });

    it('waitUntilCaughtUp right after another producer appended waits for those events, even when the last read was empty', async () => {
      const bus = await open();
      // Another process writing (the memory log belongs to one bus, so there it is the same bus).
      const other = options.sharedAcrossProcesses ? await open() : bus;
      const topic = await newTopic(bus);
      await bus.publish(topic, [book('key-0', 0)]);
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), handler });
      await sub.waitUntilCaughtUp(timeoutMs);
      // Let the subscription find the log empty for a while (its last read returned nothing).
      await new Promise((r) => setTimeout(r, 300));
      for (let round = 1; round <= 5; round++) {
        await other.publish(topic, [book(`key-${round}`, round)]);
        await sub.waitUntilCaughtUp(timeoutMs);
        // A reactor redelivered after a crash relies on this: its own earlier output is in the state it decides on.
        expect(seen.map((e) => dataOf(e).seq)).toEqual(Array.from({ length: round + 1 }, (_, i) => i));
      }
    });

    it("starts a new group at the end of the log with from: 'latest'", async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      await bus.publish(topic, [book('a', 0), book('b', 0)]);
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group: uniqueName('g'), from: 'latest', handler });
      // Published right away: 'latest' is the end of the log when subscribe resolved, not whenever a fetch starts.
      const positions = await bus.publish(topic, [book('a', 1), book('b', 1)]);
      for (const p of positions) await sub.waitForPosition(p, timeoutMs);
      await sub.waitUntilCaughtUp(timeoutMs);
      expect(seen.map(dataOf).sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'a', seq: 1 },
        { key: 'b', seq: 1 },
      ]);
    });

    it('replays the topics from the beginning with replay: true, whatever the group acknowledged', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const group = uniqueName('g');
      await bus.publish(topic, [book('a', 0), book('b', 0), book('a', 1)]);
      const first = recorder();
      const sub1 = await bus.subscribe({ topics: [topic], group, handler: first.handler });
      await waitFor(() => first.seen.length === 3, { timeoutMs, what: 'the first run' });
      await sub1.close();

      const again = recorder();
      const sub2 = await bus.subscribe({ topics: [topic], group, replay: true, handler: again.handler });
      await waitFor(() => again.seen.length >= 3, { timeoutMs, what: 'the replay' });
      const [later] = await bus.publish(topic, [book('b', 1)]);
      await sub2.waitForPosition(later!, timeoutMs);
      await sub2.waitUntilCaughtUp(timeoutMs);
      expect(again.seen.map(dataOf).sort((x, y) => x.key.localeCompare(y.key) || x.seq - y.seq)).toEqual([
        { key: 'a', seq: 0 },
        { key: 'a', seq: 1 },
        { key: 'b', seq: 0 },
        { key: 'b', seq: 1 },
      ]);
    });

    it('closes idempotently: concurrent and repeated close share one result; a closed bus refuses work', async () => {
      const bus = await open();
      const topic = await newTopic(bus);
      const group = uniqueName('g');
      const { seen, handler } = recorder();
      const sub = await bus.subscribe({ topics: [topic], group, handler });
      const [p] = await bus.publish(topic, [book('a', 0)]);
      await sub.waitForPosition(p!, timeoutMs);

      const first = sub.close();
      expect(sub.close()).toBe(first);
      await first;
      await sub.close();
      expect(sub.caughtUp()).toBe(false);
      await expect(sub.waitForPosition({ ...p!, offset: laterOffset(p!.offset) }, 1_000)).rejects.toSatisfy((err) =>
        isEventLibError(err, 'EVT_ERR_CLOSED'),
      );

      // Nothing acknowledged is lost and nothing unprocessed was acknowledged: a new member gets exactly the rest.
      await bus.publish(topic, [book('a', 1)]);
      const again = recorder();
      const sub2 = await bus.subscribe({ topics: [topic], group, handler: again.handler });
      await waitFor(() => again.seen.length === 1, { timeoutMs, what: 'the event published after close' });
      await sub2.waitUntilCaughtUp(timeoutMs);
      expect(again.seen.map(dataOf)).toEqual([{ key: 'a', seq: 1 }]);
      expect(seen).toHaveLength(1);

      await Promise.all([bus.close(), bus.close()]);
      await bus.close();
      await expect(bus.publish(topic, [book('a', 2)])).rejects.toSatisfy((err) =>
        isEventLibError(err, 'EVT_ERR_CLOSED'),
      );
      await expect(bus.subscribe({ topics: [topic], group, handler })).rejects.toSatisfy((err) =>
        isEventLibError(err, 'EVT_ERR_CLOSED'),
      );
    });
  });
}
