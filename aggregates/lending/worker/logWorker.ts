import {
  ack,
  deadLetter,
  skip,
  type Envelope,
  type EventBus,
  type HandlerContext,
  type Outcome,
} from '../../../eventlib/index.js';
import { decide, evolve, initialState, isLendingError, parseLendingEvent, type LendingState } from '../domain/index.js';
import { ensureLendingTopics } from '../service/queue.js';
import { commandOf, eventEnvelopes, lendingRegistry } from '../wire.js';
import { newStats, type LendingWorker, type WorkerOptions } from './types.js';

/** How a command whose publish fails is retried: for a long time, never dead-lettered for a transient error. */
const PUBLISH_RETRY = { maxAttempts: 1000, baseMs: 100, maxMs: 5_000 } as const;

/**
 * The lending worker on a log with a total order: Kafka (and the in-memory bus of `bookshelf start`).
 *
 * Design (see ../README.md): `lending-commands` and `lending-events` have ONE partition. Every worker joins the
 * group `lending-worker` on `lending-commands`; the broker gives the single partition to one member, so one
 * worker decides at a time and the others are hot standbys that take over on rebalance.
 *
 * The state is never kept apart from the log: a follower subscription replays `lending-events` from the beginning
 * at every start (eventlib's `replay`, group `<worker group>-state-<name>`) and `evolve`s every event, in every
 * worker, standby or not. Before each decision the worker asks the broker for the end of `lending-events` and waits
 * until the follower has applied it, so a worker that just took over decides on everything its predecessor
 * appended. After appending the outcome it waits until the follower has applied it, then acknowledges the command
 * (the offset commit). Hence:
 * - outcome before ack: a crash between the two redelivers the command, the rebuilt state already holds its
 *   requestId, `decide` returns nothing, the command is acked: exactly one outcome per request;
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
  const stats = newStats();
  const registry = lendingRegistry();
  let state: LendingState = initialState;
  let rebuilt = false;

  await ensureLendingTopics(bus, topics);
  const follower = await bus.subscribe({
    topics: [topics.events],
    group: `${topics.workerGroup}-state-${name}`,
    replay: true,
    registry,
    handler: (event): Outcome => {
      const parsed = parseLendingEvent(event);
      if (!parsed) return skip('not a lending event');
      state = evolve(state, parsed);
      return ack();
    },
  });

  /** Waits until the follower has applied everything in `lending-events` now (asks the broker for its end). */
  const catchUp = async () => {
    if ((await follower.lag()) > 0) await follower.waitUntilCaughtUp(60_000);
    rebuilt = true;
  };

  const onCommand = async (envelope: Envelope, ctx: HandlerContext): Promise<Outcome> => {
    const command = commandOf(envelope);
    if (isLendingError(command)) {
      stats.deadLettered += 1;
      return deadLetter(command.message);
    }
    await catchUp();
    const decided = decide(command, state, { now: clock(), config });
    if (isLendingError(decided)) {
      stats.deadLettered += 1;
      ctx.log.warn({ code: decided.code, requestId: command.data.requestId }, decided.message);
      return deadLetter(decided.message);
    }
    if (decided.length === 0) {
      stats.duplicates += 1;
      const batch = command.type === 'return' ? state.shelving.get(command.data.requestId) : undefined;
      if (batch) await resendShelving(command.data.requestId, batch, envelope);
      return ack();
    }
    const envelopes = eventEnvelopes(decided, { producer: name, causedBy: envelope, clock });
    const positions = await bus.publish(topics.events, envelopes);
    const overflow = envelopes.filter((e) => e.type === 'books-sent-to-shelving');
    if (overflow.length > 0) await bus.publish(topics.shelving, overflow);
    await follower.waitForPosition(positions.at(-1)!, 60_000);
    stats.decided += 1;
    ctx.log.debug({ requestId: command.data.requestId, outcome: decided[0]!.type }, 'decided');
    return ack();
  };

  const resendShelving = async (requestId: string, books: readonly string[], causedBy: Envelope) => {
    const [copy] = eventEnvelopes([{ type: 'books-sent-to-shelving', data: { requestId, books: [...books] } }], {
      producer: name,
      causedBy,
      clock,
    });
    await bus.publish(topics.shelving, [copy!]);
  };

  let commands;
  try {
    commands = await bus.subscribe({
      topics: [topics.commands],
      group: topics.workerGroup,
      from: 'beginning',
      consumerName: name,
      registry,
      retry: PUBLISH_RETRY,
      handler: onCommand,
    });
  } catch (err) {
    await follower.close();
    throw err;
  }
  void catchUp().catch((err: unknown) => log.warn({ err }, 'state rebuild is slow; retrying on the next command'));
  log.info({ group: topics.workerGroup, commands: topics.commands, events: topics.events }, 'lending worker started');

  let closing: Promise<void> | undefined;
  return {
    name,
    transport: bus.kind,
    stats: () => ({ ...stats }),
    ready: () => rebuilt,
    close: () =>
      (closing ??= (async () => {
        await commands.close();
        await follower.close();
        log.info({ stats }, 'lending worker stopped');
      })()),
  };
}
