import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atomicSubscriber,
  createEventBus,
  deadLetter,
  DeadLetterDataSchema,
  newEvent,
  skip,
  type AtomicContext,
  type AtomicSubscriber,
  type Envelope,
  type EventBus,
} from '../../../../eventlib/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';

const exec = promisify(execFile);
const { redisUrl } = infra();
const cli = async (...args: string[]) => (await exec('redis-cli', ['-u', redisUrl, ...args])).stdout.trim();
const item = (seq: number) => newEvent({ type: 'item-added', key: 'k', data: { seq } });

let buses: EventBus[] = [];
afterEach(async () => {
  await Promise.allSettled(buses.map((b) => b.close()));
  buses = [];
});
const open = async (): Promise<EventBus & AtomicSubscriber> => {
  const bus = await createEventBus({ kind: 'redis', url: redisUrl, blockMs: 100, claimIdleMs: 60_000 });
  buses.push(bus);
  const atomic = atomicSubscriber(bus);
  if (!atomic) throw new Error('the Redis bus has no atomic-commit capability');
  return Object.assign(bus, atomic);
};
const pending = async (stream: string, group: string) => Number((await cli('XPENDING', stream, group)).split('\n')[0]);

describe('redis atomic commit (subscribeAtomic)', () => {
  it('is a capability of the Redis adapter only', async () => {
    const memory = await createEventBus({ kind: 'memory' });
    expect(atomicSubscriber(memory)).toBeUndefined();
    await memory.close();
    expect(atomicSubscriber(await open())).toBeDefined();
  });

  it("applies the handler's commands, its appends and the XACK of the batch in one MULTI", async () => {
    const stream = uniqueName('atomic-in');
    const out = uniqueName('atomic-out');
    const key = uniqueName('atomic-key');
    const bus = await open();
    await bus.publish(stream, [item(1), item(2), item(3)]);
    const calls: number[] = [];
    const sub = await bus.subscribeAtomic({
      topics: [stream],
      group: 'g',
      handleAtomic: (events) => {
        calls.push(events.length);
        return {
          commands: events.map((e) => ['HSET', key, String((e.data as { seq: number }).seq), e.id]),
          append: [{ topic: out, events: events.map((e) => newEvent({ type: 'item-seen', key: 'k', data: e.data })) }],
        };
      },
    });
    await sub.waitUntilCaughtUp(10_000);
    expect(calls).toEqual([3]);
    expect(await cli('HLEN', key)).toBe('3');
    expect(await cli('XLEN', out)).toBe('3');
    expect(await pending(stream, 'g')).toBe(0);
    expect(sub.stats()).toMatchObject({ handled: 3, acked: 3, conflicts: 0 });
  });

  it('writes a dead letter (stable id, once) in the same MULTI as the XACK and the other effects', async () => {
    const stream = uniqueName('atomic-dl');
    const key = uniqueName('atomic-dl-key');
    const bus = await open();
    const [, bad] = await bus.publish(stream, [item(1), item(2)]);
    const sub = await bus.subscribeAtomic({
      topics: [stream],
      group: 'g',
      handleAtomic: (events) => ({
        outcomes: events.map((e) => ((e.data as { seq: number }).seq === 2 ? deadLetter('seq 2 is refused') : skip())),
        commands: [['INCRBY', key, String(events.length)]],
      }),
    });
    await sub.waitUntilCaughtUp(10_000);
    expect(await cli('GET', key)).toBe('2');
    expect(await pending(stream, 'g')).toBe(0);
    const dlq: Envelope[] = [];
    const reader = await bus.subscribe({ topics: [`${stream}.dlq`], group: 'r', handler: (e) => void dlq.push(e) });
    await reader.waitUntilCaughtUp(10_000);
    expect(dlq).toHaveLength(1);
    const data = DeadLetterDataSchema.parse(dlq[0]!.data);
    expect(data).toMatchObject({ cause: 'handler', reason: 'seq 2 is refused', group: 'g', attempts: 1 });
    expect(data.source).toMatchObject({ topic: stream, partition: 0, offset: bad!.offset });
    expect(await cli('SISMEMBER', `eventlib:dead-letter-ids:${stream}.dlq`, dlq[0]!.id)).toBe('1');
    expect(sub.stats()).toMatchObject({ handled: 2, skipped: 1, deadLettered: 1 });
  });

  it('a WATCHed key changed before the commit drops it; the run is split and decided again on fresh reads', async () => {
    const stream = uniqueName('atomic-watch');
    const key = uniqueName('atomic-counter');
    await cli('SET', key, '0');
    const bus = await open();
    await bus.publish(stream, [item(1), item(2), item(3)]);
    const calls: number[] = [];
    let interfered = false;
    const sub = await bus.subscribeAtomic({
      topics: [stream],
      group: 'g',
      handleAtomic: async (events, ctx) => {
        calls.push(events.length);
        await ctx.watch([key]);
        const [value] = await ctx.read([key]);
        if (!interfered) {
          interfered = true;
          await cli('SET', key, '100'); // another client commits between our read and our commit
        }
        return { commands: [['SET', key, String(Number(value) + events.length)]] };
      },
    });
    await sub.waitUntilCaughtUp(10_000);
    // The batch of 3 conflicted, then each event was decided on its own, each on the value the one before wrote.
    expect(calls).toEqual([3, 1, 1, 1]);
    expect(await cli('GET', key)).toBe('103');
    expect(await pending(stream, 'g')).toBe(0);
    expect(sub.stats()).toMatchObject({ handled: 3, acked: 3, conflicts: 1 });
  });

  it('two members changing one counter through read-then-SET never lose an update', async () => {
    const stream = uniqueName('atomic-race');
    const key = uniqueName('atomic-race-counter');
    const bus = await open();
    const other = await open();
    const handleAtomic = async (events: readonly Envelope[], ctx: AtomicContext) => {
      await ctx.watch([key]);
      const [value] = await ctx.read([key]);
      return { commands: [['SET', key, String(Number(value ?? 0) + events.length)]] };
    };
    const subs = await Promise.all(
      [bus, other].map((b, i) =>
        b.subscribeAtomic({ topics: [stream], group: 'g', consumerName: `m${i}`, maxBatch: 5, handleAtomic }),
      ),
    );
    const n = 200;
    for (let i = 0; i < n; i += 10)
      await bus.publish(
        stream,
        Array.from({ length: 10 }, (_, j) => item(i + j)),
      );
    await waitFor(async () => (await cli('GET', key)) === String(n) && (await pending(stream, 'g')) === 0, {
      what: 'every increment',
      timeoutMs: 30_000,
    });
    expect(subs.reduce((sum, s) => sum + s.stats().acked, 0)).toBe(n);
  });

  it('a handler that keeps throwing: every event is dead-lettered and acknowledged together', async () => {
    const stream = uniqueName('atomic-throw');
    const bus = await open();
    await bus.publish(stream, [item(1), item(2)]);
    const sub = await bus.subscribeAtomic({
      topics: [stream],
      group: 'g',
      retry: { maxAttempts: 2, baseMs: 1, maxMs: 2 },
      handleAtomic: () => {
        throw new Error('store down');
      },
    });
    await sub.waitUntilCaughtUp(10_000);
    expect(await pending(stream, 'g')).toBe(0);
    expect(await cli('XLEN', `${stream}.dlq`)).toBe('2');
    expect(sub.stats()).toMatchObject({ deadLettered: 2, retried: 1 });
  });

  it('refuses handler and handleBatch, and a bad maxConflicts', async () => {
    const bus = await open();
    const base = { topics: [uniqueName('atomic-opts')], group: 'g', handleAtomic: () => ({}) };
    await expect(bus.subscribeAtomic({ ...base, handler: () => undefined } as never)).rejects.toThrow(
      /handleAtomic only/,
    );
    await expect(bus.subscribeAtomic({ ...base, maxConflicts: 0 })).rejects.toThrow(/maxConflicts/);
  });
});
