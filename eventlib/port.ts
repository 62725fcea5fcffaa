import type { Logger } from 'pino';
import type { Envelope } from './envelope.js';
import type { EventLibError } from './errors.js';
import type { IngestRules } from './ingest.js';
import type { EventRegistry } from './registry.js';
import type { RetryPolicy } from './retry.js';

/**
 * Where an event sits in the log. Kafka: partition + offset; Redis: partition 0 + stream entry id;
 * memory: partition + sequence number. Offsets are strings so every adapter fits; compare them only through a
 * subscription (`hasProcessed`).
 */
export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

/** All a command handler needs. */
export interface Publisher {
  /**
   * Appends `events` to `topic` in order; events with the same key keep their order. Resolves once the events are
   * durable (Kafka: acknowledged by all in-sync replicas; Redis: XADD returned; memory: in the log and its file),
   * with one position per event, in the same order.
   */
  publish(topic: string, events: readonly Envelope[]): Promise<Position[]>;
}

/** What a handler says happened to an event. Returning nothing means `ack`. */
export type Outcome =
  | { readonly kind: 'ack' }
  | { readonly kind: 'skip'; readonly reason?: string }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'dead-letter'; readonly reason: string };

/** Done: move past the event. */
export const ack = (): Outcome => ({ kind: 'ack' });
/** Not for this handler: move past the event (logged at debug). */
export const skip = (reason?: string): Outcome => (reason === undefined ? { kind: 'skip' } : { kind: 'skip', reason });
/** Try again after a backoff; dead-lettered once the retry policy's attempts are used up. */
export const retry = (reason: string): Outcome => ({ kind: 'retry', reason });
/** Give up now: the event goes to `<topic>.dlq` with the reason, and the stream moves on. */
export const deadLetter = (reason: string): Outcome => ({ kind: 'dead-letter', reason });

export interface HandlerContext {
  topic: string;
  position: Position;
  /** 1 for the first delivery to this handler, 2 for the first retry, ... */
  attempt: number;
  /** A child logger with `{ eventId, type, correlationId }`. */
  log: Logger;
  /** Aborted when the subscription closes; long handlers may stop early (the event is then redelivered). */
  signal: AbortSignal;
}

/**
 * Handles one event. Resolve with nothing (= ack) or an outcome. A throw counts as `retry` with the error,
 * except programming errors (TypeError, RangeError, ...) and errors with `retriable: false`, which are
 * dead-lettered at once.
 */
export type Handler = (event: Envelope, ctx: HandlerContext) => Promise<Outcome | void> | Outcome | void;

export interface BatchContext {
  /** The topic-partition every event of the batch comes from (a batch never spans partitions). */
  topic: string;
  partition: number;
  /** One position per event, in the same order. */
  positions: readonly Position[];
  /** 1 for the first delivery of this batch to the handler, 2 for the first retry, ... */
  attempt: number;
  log: Logger;
  /** Aborted when the subscription closes; the batch is then redelivered. */
  signal: AbortSignal;
}

/**
 * Handles every event available on one partition, up to `maxBatch`, in log order (group commit: decide them all,
 * append once, acknowledge once). Resolve with nothing (every event acked) or one outcome per event (`ack`, `skip`,
 * `dead-letter`; a `retry` retries the whole batch). A throw retries the whole batch like a handler's throw; when
 * the attempts are used up, or the error is never retriable, every event of the batch is dead-lettered.
 */
export type BatchHandler = (
  events: readonly Envelope[],
  ctx: BatchContext,
) => Promise<readonly Outcome[] | void> | readonly Outcome[] | void;

export interface SubscribeOptions {
  topics: readonly string[];
  /** Consumer group: members of one group share the work; each group gets every event. */
  group: string;
  /** Where a group without a stored position starts. Default `beginning`. Ignored once the group has acked. */
  from?: 'beginning' | 'latest';
  /**
   * Read the topics from the beginning on every subscribe, whatever the group acknowledged before (the group's
   * position is moved back). For in-memory read models that rebuild their state at each start; meant for a group
   * with one member. `from` is then ignored.
   */
  replay?: boolean;
  /** Called once per event, in order per partition. Exactly one of `handler` and `handleBatch`. */
  handler?: Handler;
  /** Called with runs of events (see `BatchHandler`); for deciders that append a batch's outcomes at once. */
  handleBatch?: BatchHandler;
  /** Most events per `handleBatch` call. Default 500. */
  maxBatch?: number;
  /** Validates and upcasts events by type and version; failures are poison (dead-lettered). */
  registry?: EventRegistry;
  /** How raw kcat-style input (bare JSON objects, text lines) becomes an envelope. */
  ingest?: IngestRules;
  retry?: Partial<RetryPolicy>;
  /** The member name (Redis consumer name, Kafka client id suffix). Unique per process by default. */
  consumerName?: string;
  /**
   * What to do when the log is reset or deleted under the running subscription (Redis: the stream or the group is
   * gone, or the stream was recreated, e.g. a server restarted without its data). `fail` (default): the
   * subscription stops and `failed` resolves with EVT_ERR_LOG_RESET naming the stream, so the service can stop
   * instead of deciding on an empty state. `replay`: for read models that rebuild: `onReset` is called (clear the
   * state), then the group is created again at the start of the new log and consumption goes on. Kafka and memory:
   * not detected (their logs are not reset under a subscription), the option is accepted and has no effect.
   */
  onLogReset?: 'fail' | 'replay';
  /** With `onLogReset: 'replay'`: called (and awaited) before the new log is read; a throw fails the subscription. */
  onReset?: (reset: LogReset) => Promise<void> | void;
}

export interface LogReset {
  /** The topic (stream) found reset. */
  topic: string;
  /** What was found, for logs. */
  reason: string;
}

export interface SubscriptionStats {
  /** Events whose outcome was applied (ack, skip or dead-letter). */
  handled: number;
  acked: number;
  skipped: number;
  /** Handler attempts that failed and were retried. */
  retried: number;
  /** Events dead-lettered because of the handler (outcome, exhausted retries, delivery cap). */
  deadLettered: number;
  /** Messages dead-lettered because they could not be decoded or validated. */
  poison: number;
  /**
   * Events of a type the subscription's registry does not know. Skipped (also counted in `skipped` and
   * `handled`, logged at debug) unless the registry says `unknownTypes: 'pass'`; never dropped without a count.
   */
  unknown: number;
  /**
   * Of `poison` and `deadLettered`: messages whose dead letter `<topic>.dlq` already held (another group's record
   * of the same poison message, or this group's from before a replay), so none was written again.
   */
  alreadyDeadLettered: number;
  /** Redis atomic commits (`subscribeAtomic`) dropped because a WATCHed key changed; decided again. 0 elsewhere. */
  conflicts: number;
}

export interface Subscription {
  readonly group: string;
  readonly topics: readonly string[];
  /**
   * Resolves (never rejects) with the error that stopped this subscription on its own: EVT_ERR_LOG_RESET (Redis,
   * `onLogReset: 'fail'`). Stays pending for a subscription that is only closed. After it resolves the
   * subscription is closed and its waits reject with that error.
   */
  readonly failed: Promise<EventLibError>;
  /**
   * True when this subscription has applied everything in its share of the log as far as it knows the log's end
   * (known when subscribing, kept current while consuming). See eventlib/README.md for each adapter's share.
   */
  caughtUp(): boolean;
  /** Events in this subscription's share not yet applied, asking the broker for the current end of the log. */
  lag(): Promise<number>;
  /** Resolves once caught up; rejects with EVT_ERR_TIMEOUT (default 30 s) or EVT_ERR_CLOSED. */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
  /** True once this subscription (or its group before it started) has applied the event at `position`. */
  hasProcessed(position: Position): boolean;
  /** Resolves once `hasProcessed(position)`; rejects with EVT_ERR_TIMEOUT (default 30 s) or EVT_ERR_CLOSED. */
  waitForPosition(position: Position, timeoutMs?: number): Promise<void>;
  stats(): SubscriptionStats;
  /** Stops fetching, lets the in-flight handler finish and records its outcome. Idempotent. */
  close(): Promise<void>;
}

/** All a view or reactor needs. */
export interface Subscriber {
  subscribe(options: SubscribeOptions): Promise<Subscription>;
}

export interface TopicAdmin {
  /**
   * Creates the topic (Kafka topic, Redis stream, memory log) if missing. `partitions` defaults to the bus's
   * setting; an existing topic keeps its partitions. Publishing and subscribing also ensure their topics.
   */
  ensureTopic(name: string, options?: { partitions?: number }): Promise<void>;
}

export type EventBusKind = 'memory' | 'kafka' | 'redis';

export interface EventBus extends Publisher, Subscriber, TopicAdmin {
  readonly kind: EventBusKind;
  /** Closes every subscription (draining handlers), flushes the producer, disconnects. Idempotent. */
  close(): Promise<void>;
}

/** The dead-letter topic or stream of `topic`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
