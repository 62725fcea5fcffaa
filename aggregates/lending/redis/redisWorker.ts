import {
  ack,
  atomicSubscriber,
  deadLetter,
  skip,
  type AtomicContext,
  type AtomicResult,
  type Envelope,
  type EventBus,
  type Outcome,
  type RedisCommand,
} from '../../../eventlib/index.js';
import {
  decide,
  evolveAll,
  isLendingError,
  readSetOf,
  sliceOf,
  stateFromSlice,
  unionReadSet,
  type LendingCommand,
  type LendingError,
} from '../domain/index.js';
import { commandOf, eventEnvelopes, lendingRegistry } from '../wire.js';
import type { LendingWorker, WorkerOptions } from '../worker/types.js';
import { LendingKeys, parseSlice, sliceWrites } from './stateKeys.js';

export interface RedisWorkerOptions extends WorkerOptions {
  /** Pending commands of other consumers idle this long are reclaimed (a crashed worker's); default the bus's. */
  claimIdleMs?: number;
  /** Most commands decided in one optimistic transaction (and fetched by one XREADGROUP). Default 100. */
  maxBatch?: number;
}

/** Why a command is a duplicate (the `skip` reason): its requestId was decided before. */
const DUPLICATE = 'duplicate requestId: decided before';

/**
 * The lending worker on Redis Streams: optimistic transactions (WATCH / MULTI / EXEC) on the state keys, a batch of
 * commands at a time (design in ../README.md). Workers with different names read `lending-commands` in one
 * consumer group and decide in parallel.
 *
 * The consumer loop, reclaiming (XAUTOCLAIM, delivery cap), poison handling and dead letters are eventlib's: an
 * atomic subscription (`subscribeAtomic`) hands over each run of commands; this worker WATCHes and reads the keys
 * their decisions read (the union of their read sets), decides them in order on that state and returns the state
 * writes and the outcome events, which eventlib commits in one MULTI with the XACK of the run and the dead letters of
 * the commands that can never succeed. A key changed by another worker in between drops the transaction: eventlib
 * then decides the run's commands one by one, each on fresh keys. A command decided before (redelivered after a
 * crash, or sent twice) yields no events and is acknowledged.
 */
export async function startRedisWorker(bus: EventBus, opts: RedisWorkerOptions): Promise<LendingWorker> {
  const atomic = atomicSubscriber(bus);
  if (!atomic) throw new TypeError(`startRedisWorker needs a Redis bus (got ${bus.kind}); use startLogWorker`);
  const { topics, config, clock, name } = opts;
  const log = opts.log.child({ worker: name, transport: 'redis' });
  const keys = new LendingKeys(topics.keyTag);

  const decideRun = async (events: readonly Envelope[], ctx: AtomicContext): Promise<AtomicResult> => {
    const commands = events.map((event) => commandOf(event));
    const valid = commands.filter((c): c is LendingCommand => !isLendingError(c));
    const readSet = unionReadSet(valid.map(readSetOf));
    await ctx.watch(keys.watchedKeysOf(readSet));
    const before = parseSlice(readSet, await ctx.read(keys.keysOf(readSet)));
    let state = stateFromSlice(before);
    const outcomes: Outcome[] = [];
    const appended: Envelope[] = [];
    for (const [i, command] of commands.entries()) {
      const decided: ReturnType<typeof decide> | LendingError = isLendingError(command)
        ? command
        : decide(command, state, { now: clock(), config });
      if (isLendingError(decided)) {
        outcomes.push(deadLetter(decided.message));
        continue;
      }
      if (decided.length === 0) {
        // Its outcome (and a return's shelving copy) committed with the same MULTI as its first decision.
        outcomes.push(skip(DUPLICATE));
        continue;
      }
      state = evolveAll(state, decided);
      appended.push(...eventEnvelopes(decided, { producer: name, causedBy: events[i]!, clock }));
      outcomes.push(ack());
    }
    const writes = sliceWrites(keys, before, sliceOf(state, readSet));
    const redis: RedisCommand[] = writes.set.map(([key, value]) => ['SET', key, value]);
    if (writes.del.length > 0) redis.push(['DEL', ...writes.del]);
    if (writes.storageDelta !== 0) redis.push(['INCRBY', keys.storage, String(writes.storageDelta)]);
    const shelving = appended.filter((e) => e.type === 'books-sent-to-shelving');
    return {
      outcomes,
      commands: redis,
      append: [
        { topic: topics.events, events: appended },
        ...(shelving.length > 0 ? [{ topic: topics.shelving, events: shelving }] : []),
      ],
    };
  };

  const subscription = await atomic.subscribeAtomic({
    topics: [topics.commands],
    group: topics.workerGroup,
    consumerName: name,
    registry: lendingRegistry(),
    maxBatch: opts.maxBatch ?? 100,
    batchSize: opts.maxBatch ?? 100,
    ...(opts.claimIdleMs !== undefined ? { claimIdleMs: opts.claimIdleMs } : {}),
    handleAtomic: decideRun,
  });
  log.info({ group: topics.workerGroup, commands: topics.commands, events: topics.events }, 'lending worker started');

  let stopped = false;
  const failed = subscription.failed.then((err) => {
    stopped = true;
    return err.message;
  });
  let closing: Promise<void> | undefined;
  const stats = () => {
    const s = subscription.stats();
    return {
      decided: s.acked,
      duplicates: s.skipped - s.unknown,
      deadLettered: s.deadLettered + s.poison,
      conflicts: s.conflicts,
    };
  };
  return {
    name,
    transport: 'redis',
    stats,
    ready: () => !stopped,
    failed,
    close: () =>
      (closing ??= (async () => {
        stopped = true;
        await subscription.close();
        log.info({ stats: stats() }, 'lending worker stopped');
      })()),
  };
}
