import type { Envelope, EventBus } from '../../../eventlib/index.js';
import { startLogDecider, type Decider, type DeciderWire } from '../../../platform/index.js';
import {
  decide,
  evolve,
  initialState,
  isLendingError,
  parseLendingEvent,
  type LendingCommand,
  type LendingError,
  type LendingEvent,
  type LendingState,
} from '../domain/index.js';
import { ensureLendingTopics } from '../service/queue.js';
import { commandOf, eventEnvelopes, lendingRegistry } from '../wire.js';
import { newStats, type LendingWorker, type WorkerOptions } from './types.js';

/**
 * The lending worker on a log with a total order: Kafka (and the in-memory bus of `bookshelf start`), run by the
 * platform's write-side engine (`platform/logDecider.ts`).
 *
 * Design (see ../README.md): `lending-commands` and `lending-events` have ONE partition. Every worker joins the
 * group `lending-worker` on `lending-commands`; the broker gives the single partition to one member, so one
 * worker decides at a time and the others are hot standbys that take over on rebalance. Every worker folds
 * `lending-events` from the beginning (standby or not); the owner decides the commands available a batch at a time
 * on that state, appends all outcomes in one publish, waits once until they are folded, then acknowledges the
 * batch. Hence:
 * - outcome before ack: a crash between the two redelivers the commands, the rebuilt state already holds their
 *   requestIds, `decide` returns nothing for them: exactly one outcome per request;
 * - a return whose shelving copy was lost in such a crash gets it re-sent on redelivery (the batch is still open).
 *
 * Why no Kafka transactions: kafkajs' transactional producer is known to misbehave (fencing and
 * `sendOffsets` issues), and this design is correct without them because the state is rebuilt from the log and
 * commands are deduplicated by requestId. What transactions would add is fencing a zombie owner (a worker that
 * lost the partition without noticing, between its last heartbeat and its session timeout): here that window is
 * bounded by the consumer session timeout, which the worker keeps short.
 */

export async function startLogWorker(bus: EventBus, opts: WorkerOptions): Promise<LendingWorker> {
  if (bus.kind === 'redis') throw new TypeError('startLogWorker: use startRedisWorker on Redis');
  const { topics, config, clock, name } = opts;
  const log = opts.log.child({ worker: name, transport: bus.kind });
  await ensureLendingTopics(bus, topics);

  const lending: Decider<LendingCommand, LendingEvent, LendingState, LendingError> = {
    initialState,
    decide: (command, state) => decide(command, state, { now: clock(), config }),
    evolve,
    isRejection: (value): value is LendingError => isLendingError(value),
  };
  const wire: DeciderWire<LendingCommand, LendingEvent, LendingError> = {
    command: (envelope) => commandOf(envelope),
    event: (envelope) => parseLendingEvent(envelope),
    envelopes: (events, causedBy) => eventEnvelopes(events, { producer: name, causedBy, clock }),
    describe: (err) => err.message,
  };
  const shelve = (envelopes: readonly Envelope[]) =>
    envelopes.length > 0 ? bus.publish(topics.shelving, envelopes) : Promise.resolve([]);

  const engine = await startLogDecider(bus, {
    name,
    commandsTopic: topics.commands,
    eventsTopic: topics.events,
    group: topics.workerGroup,
    registry: lendingRegistry(),
    decider: lending,
    wire,
    log,
    // The overflow of a return also goes to the shelving topic, after the outcome is durable.
    afterAppend: async (appended) => void (await shelve(appended.filter((e) => e.type === 'books-sent-to-shelving'))),
    // A return redelivered after a crash between the append and that copy: send the copy again.
    onDuplicate: async (command, state, causedBy) => {
      const batch = command.type === 'return' ? state.shelving.get(command.data.requestId) : undefined;
      if (!batch) return;
      const copy = eventEnvelopes(
        [{ type: 'books-sent-to-shelving', data: { requestId: command.data.requestId, books: [...batch] } }],
        { producer: name, causedBy, clock },
      );
      await shelve(copy);
    },
  });
  log.info({ group: topics.workerGroup, commands: topics.commands, events: topics.events }, 'lending worker started');

  let closing: Promise<void> | undefined;
  return {
    name,
    transport: bus.kind,
    stats: () => {
      const s = engine.stats();
      return { ...newStats(), decided: s.decided, duplicates: s.duplicates, deadLettered: s.deadLettered };
    },
    ready: () => engine.ready(),
    close: () =>
      (closing ??= (async () => {
        await engine.close();
        log.info({ stats: engine.stats() }, 'lending worker stopped');
      })()),
  };
}
