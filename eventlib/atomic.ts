import type { Envelope } from './envelope.js';
import type { BatchContext, EventBus, Outcome, SubscribeOptions, Subscription } from './port.js';

/**
 * Atomic commit (Redis adapter only; a capability, not part of the transport-neutral port): the handler hands back
 * its effects as Redis commands, and the subscription applies them in ONE `MULTI` / `EXEC` together with the `XACK`
 * of the batch and the dead letters of the events it gave up on. Keys the handler `watch`ed before reading make the
 * transaction optimistic: when another client changed one of them, nothing is applied and the batch is decided
 * again on fresh reads (see `AtomicSubscribeOptions`).
 */

/** One Redis command as its words, e.g. `['SET', key, value]`, `['INCRBY', key, '2']`. */
export type RedisCommand = readonly string[];

/** Events to append (eventlib's stream format and `maxLen` trimming, like `publish`) in the same transaction. */
export interface AtomicAppend {
  topic: string;
  events: readonly Envelope[];
}

/** What one call of an atomic handler decided. Nothing is applied unless the whole transaction commits. */
export interface AtomicResult {
  /** One outcome per event (`ack`, `skip`, `dead-letter`; a `retry` retries the batch); none = every event acked. */
  outcomes?: readonly Outcome[];
  /** Redis commands queued in the MULTI before the appends, the dead letters and the XACK. */
  commands?: readonly RedisCommand[];
  /** Events appended in the MULTI (each topic's events in order). */
  append?: readonly AtomicAppend[];
}

export interface AtomicContext extends BatchContext {
  /**
   * WATCHes `keys` on the subscription's own transaction connection. Call it before `read`: if any of them changes
   * before the commit, the transaction is dropped and the handler called again on fresh values.
   */
  watch(keys: readonly string[]): Promise<void>;
  /** MGET on the transaction connection: the values of `keys` (null where missing), in order. */
  read(keys: readonly string[]): Promise<(string | null)[]>;
}

/**
 * Decides a run of events (in log order, one stream) and returns its effects. It must not write to Redis itself:
 * it may be called several times for the same events (a conflict, a retry), and only the last call's result is
 * applied. A throw is retried like a batch handler's throw (the retry policy), then every event is dead-lettered.
 */
export type AtomicHandler = (events: readonly Envelope[], ctx: AtomicContext) => Promise<AtomicResult> | AtomicResult;

export interface AtomicSubscribeOptions extends Omit<SubscribeOptions, 'handler' | 'handleBatch'> {
  handleAtomic: AtomicHandler;
  /**
   * Commits that fail on a WATCHed key before the events count as a failed attempt of the retry policy (each conflict
   * is retried at once after a short jittered pause). Default 100. A batch of several events that conflicts is first
   * split: each event is then decided and committed on its own.
   */
  maxConflicts?: number;
  /** This subscription's `claimIdleMs` (default: the bus's). */
  claimIdleMs?: number;
  /** Entries this subscription's XREADGROUP fetches (default: the bus's `batchSize`); runs hold at most `maxBatch`. */
  batchSize?: number;
}

/** A bus that can subscribe with atomic commits (the Redis adapter). */
export interface AtomicSubscriber {
  subscribeAtomic(options: AtomicSubscribeOptions): Promise<Subscription>;
}

/** The atomic-commit capability of `bus`, or undefined when its adapter has none (memory, Kafka). */
export function atomicSubscriber(bus: EventBus): AtomicSubscriber | undefined {
  const candidate = bus as Partial<AtomicSubscriber>;
  return typeof candidate.subscribeAtomic === 'function' ? (candidate as AtomicSubscriber) : undefined;
}
