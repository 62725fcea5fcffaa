import type { Logger } from 'pino';
import {
  ack,
  deadLetter,
  skip,
  withTraceFields,
  type Envelope,
  type EventBus,
  type EventLibError,
  type EventRegistry,
  type Outcome,
  type Position,
  type Subscription,
} from '../eventlib/index.js';
import { trackDecider } from './metrics.js';
import { traceDecision } from './tracing.js';

/**
 * What a domain hands over (emmett's `CommandHandler` model): the library owns load -> decide -> append ->
 * acknowledge. `decide` returns the events of one command, or an error value (never throws); an empty list means
 * "already done" (a redelivered command whose outcome the state holds).
 */
export interface Decider<Command, Event, State, Rejection> {
  readonly initialState: State;
  decide(command: Command, state: State): readonly Event[] | Rejection;
  evolve(state: State, event: Event): State;
  /** Tells a rejection (a domain error value) from a command or a list of events. */
  isRejection(value: unknown): value is Rejection;
}

/** How commands and events look on the log: the domain's wire format. */
export interface DeciderWire<Command, Event, Rejection> {
  /**
   * The command an envelope carries, or a rejection (a malformed command: dead-lettered), or undefined for an
   * envelope that is no command of this decider (skipped: a reactor's command topic is an event log).
   */
  command(envelope: Envelope): Command | Rejection | undefined;
  /** The domain event an envelope carries; undefined for another type (skipped). */
  event(envelope: Envelope): Event | undefined;
  /** The envelopes of one command's events, caused by the command (keep the command's key: its partition). */
  envelopes(events: readonly Event[], causedBy: Envelope): Envelope[];
  /** The message of a rejection, for the dead letter and the log. */
  describe(rejection: Rejection): string;
}

export interface LogDeciderOptions<Command, Event, State, Rejection> {
  /** This instance: the consumer name in the command group, and a suffix of its state group. */
  name: string;
  /** Commands are read from here; one owner per partition (the broker's assignment is the ownership). */
  commandsTopic: string;
  /** Events are appended here and folded back into the state. Same partition count and keys as the commands. */
  eventsTopic: string;
  /** The owners' group on the command topic. */
  group: string;
  decider: Decider<Command, Event, State, Rejection>;
  wire: DeciderWire<Command, Event, Rejection>;
  registry?: EventRegistry;
  /** Most commands decided together (one append, one acknowledgement). Default 2000. */
  maxBatch?: number;
  /**
   * After a batch's events are durable: side effects derived from them (publishing copies to other topics). A throw
   * retries the batch; the redelivered commands are then duplicates, so `onDuplicate` must redo what this did.
   */
  afterAppend?(appended: readonly Envelope[], positions: readonly Position[]): Promise<void>;
  /**
   * A command `decide` rejected (after the batch's append): its outcome. Default: dead-lettered. A service that
   * answers the rejection to a caller (an HTTP write) acknowledges it instead.
   */
  onRejection?(rejection: Rejection, command: Command, envelope: Envelope): Outcome;
  /**
   * Called before a batch (or its retry after a failed append) is decided, on the folded state: a service that keeps
   * what the batch has decided so far beside the state (keys taken by earlier commands of the same batch) resets it.
   */
  beginBatch?(partition: number): void;
  /** Each event of this decider once folded into its partition's state (feeds what the service keeps beside it). */
  onFolded?(envelope: Envelope, position: Position): void;
  /** A command whose outcome the state already holds (a redelivery): redo what may have been lost after the append. */
  onDuplicate?(command: Command, state: State, envelope: Envelope): Promise<void>;
  log: Logger;
}

export interface DeciderStats {
  /** Commands whose events were appended. */
  decided: number;
  /** Commands the state already held an outcome for (nothing appended). */
  duplicates: number;
  /** Malformed or rejected commands, dead-lettered. */
  deadLettered: number;
  /** Batches appended, and the largest one. */
  batches: number;
  largestBatch: number;
}

export interface LogDecider<State> {
  /** The state of one partition (folded from that partition's events). */
  state(partition?: number): State;
  stats(): Readonly<DeciderStats>;
  /** True once the state has been rebuilt from the log. */
  ready(): boolean;
  /** Resolves once the state includes everything in the event log now. */
  catchUp(): Promise<void>;
  readonly commands: Subscription;
  /** Resolves with the error that stopped the command or the state subscription on its own (a reset log). */
  readonly failed: Promise<EventLibError>;
  close(): Promise<void>;
}

/** How long a batch waits for its events to be folded before it is retried (a broker outage). */
const FOLD_TIMEOUT_MS = 60_000;

/**
 * The one write-side engine: consumes a command topic, keeps each partition's state folded from the event topic
 * (a replay subscription in every instance, owner or standby), and decides a batch at a time (group commit): take
 * the commands available on a partition, decide them in order on that partition's state (each sees the events of
 * the ones before it), append every resulting event in one publish, wait once until they are durable and folded,
 * then acknowledge the batch. Before deciding, the state is brought up to the end of the event log, so an owner that
 * just took a partition over decides on everything its predecessor appended.
 *
 * Exactly one outcome per command: events are appended before the command is acknowledged, so a crash in between
 * redelivers it, and the rebuilt state makes `decide` return nothing for it. A failed append (a broker outage)
 * retries the whole batch from the folded state, never from the speculative one.
 */
export async function startLogDecider<C, E, S, R>(
  bus: EventBus,
  opts: LogDeciderOptions<C, E, S, R>,
): Promise<LogDecider<S>> {
  const { decider, wire, name } = opts;
  const log = opts.log.child({ decider: name, commands: opts.commandsTopic });
  const states = new Map<number, S>();
  const stateOf = (partition: number) => states.get(partition) ?? decider.initialState;
  const stats: DeciderStats = { decided: 0, duplicates: 0, deadLettered: 0, batches: 0, largestBatch: 0 };
  let rebuilt = false;
  const metrics = trackDecider(name, () => stats);

  const follower = await bus.subscribe({
    topics: [opts.eventsTopic],
    group: `${opts.group}-state-${name}`,
    replay: true,
    ...(opts.registry ? { registry: opts.registry } : {}),
    handler: (envelope, ctx): Outcome => {
      const event = wire.event(envelope);
      if (event === undefined) return skip('not an event of this decider');
      states.set(ctx.position.partition, decider.evolve(stateOf(ctx.position.partition), event));
      opts.onFolded?.(envelope, ctx.position);
      return ack();
    },
  });

  /** The state includes everything in the event log now (asks the broker for its end). */
  const catchUp = async () => {
    if ((await follower.lag()) > 0) await follower.waitUntilCaughtUp(FOLD_TIMEOUT_MS);
    rebuilt = true;
  };

  const decideBatch = async (commands: readonly Envelope[], partition: number): Promise<Outcome[]> => {
    const t0 = performance.now();
    await catchUp();
    opts.beginBatch?.(partition);
    const t1 = performance.now();
    let working = stateOf(partition);
    const outcomes: Outcome[] = [];
    const appended: Envelope[] = [];
    let decidedHere = 0;
    const duplicates: { command: C; envelope: Envelope }[] = [];
    const rejected: { at: number; rejection: R; command: C; envelope: Envelope }[] = [];
    for (const envelope of commands) {
      // Tracing: the decision is a span of the command's trace; the events it appends carry that trace on.
      const trace = traceDecision(envelope, name);
      const command = wire.command(envelope);
      if (command === undefined) {
        outcomes.push(skip('not a command of this decider'));
        continue;
      }
      if (decider.isRejection(command)) {
        outcomes.push(deadLetter(wire.describe(command)));
        continue;
      }
      const decided = decider.decide(command, working);
      if (decider.isRejection(decided)) {
        rejected.push({ at: outcomes.length, rejection: decided, command, envelope });
        outcomes.push(ack());
        continue;
      }
      if (decided.length === 0) {
        duplicates.push({ command, envelope });
        outcomes.push(ack());
        continue;
      }
      for (const event of decided) working = decider.evolve(working, event);
      appended.push(...withTraceFields(wire.envelopes(decided, envelope), trace));
      decidedHere++;
      outcomes.push(ack());
    }
    const t2 = performance.now();
    let t3 = t2;
    if (appended.length > 0) {
      const positions: Position[] = await bus.publish(opts.eventsTopic, appended);
      t3 = performance.now();
      await follower.waitForPosition(positions.at(-1)!, FOLD_TIMEOUT_MS);
      await opts.afterAppend?.(appended, positions);
    }
    for (const { at, rejection, command, envelope } of rejected) {
      if (opts.onRejection) outcomes[at] = opts.onRejection(rejection, command, envelope);
      else {
        log.warn({ commandId: envelope.id, reason: wire.describe(rejection) }, 'command rejected: dead-lettered');
        outcomes[at] = deadLetter(wire.describe(rejection));
      }
    }
    const ms = (a: number, b: number) => Math.round((b - a) * 10) / 10;
    metrics.batch(commands.length, (performance.now() - t0) / 1000);
    log.debug(
      {
        commands: commands.length,
        catchUpMs: ms(t0, t1),
        decideMs: ms(t1, t2),
        appendMs: ms(t2, t3),
        foldMs: ms(t3, performance.now()),
      },
      'batch decided',
    );
    for (const { command, envelope } of duplicates) await opts.onDuplicate?.(command, stateOf(partition), envelope);
    stats.decided += decidedHere;
    stats.duplicates += duplicates.length;
    stats.deadLettered += outcomes.filter((o) => o.kind === 'dead-letter').length;
    stats.batches++;
    stats.largestBatch = Math.max(stats.largestBatch, commands.length);
    return outcomes;
  };

  let commands: Subscription;
  try {
    commands = await bus.subscribe({
      topics: [opts.commandsTopic],
      group: opts.group,
      from: 'beginning',
      consumerName: name,
      ...(opts.registry ? { registry: opts.registry } : {}),
      maxBatch: opts.maxBatch ?? 2000,
      // An append that fails (a broker outage) is retried for a long time: a command is never dead-lettered for it.
      retry: { maxAttempts: 1000, baseMs: 100, maxMs: 5_000 },
      handleBatch: (batch, ctx) => decideBatch(batch, ctx.partition),
    });
  } catch (err) {
    await follower.close();
    throw err;
  }
  void catchUp().catch((err: unknown) => log.warn({ err }, 'state rebuild is slow; retrying on the next batch'));

  let closing: Promise<void> | undefined;
  return {
    state: (partition = 0) => stateOf(partition),
    stats: () => ({ ...stats }),
    ready: () => rebuilt,
    catchUp,
    commands,
    failed: Promise.race([commands.failed, follower.failed]),
    close: () =>
      (closing ??= (async () => {
        await commands.close();
        await follower.close();
        metrics.untrack();
      })()),
  };
}
