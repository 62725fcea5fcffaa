import type { Logger } from 'pino';
import {
  ack,
  backoffDelay,
  decodePositions,
  isEventLibError,
  isRetriableError,
  skip,
  type Envelope,
  type EventBus,
  type EventRegistry,
  type IngestRules,
  type LogReset,
  type Outcome,
  type Position,
  type Subscription,
  type SubscriptionStats,
} from '../eventlib/index.js';
import { problem, type Readiness } from '../restlib/index.js';
import type { IdempotencyLedger } from './idempotency.js';

export interface ReadModelOptions {
  topics: string[];
  /** The model's own group, unique per instance: the log is replayed into it at every start. */
  group: string;
  registry: EventRegistry;
  ingest?: IngestRules;
  /** Applies one event to the in-memory state; false for events the model ignores. */
  apply(event: Envelope): boolean;
  /** Also feeds every event to this ledger, so keyed writes are recognised after a restart. */
  ledger?: IdempotencyLedger;
  /**
   * Empties the state, for a view that rebuilds when its log was reset under it (Redis lost its data): the model
   * calls it, then replays the log again and is not ready until it caught up. Without it (command sides, which
   * must never decide on an empty state) a reset fails the model and the host stops the process.
   */
  reset?: () => void;
  log: Logger;
}

export interface ReadModel {
  /**
   * Ready once the model has caught up with the log for the first time after its start (the rebuild), and from
   * then on: under a steady stream of writes a live model is rarely "caught up" at an instant, and dropping out of
   * discovery for that would flap. Current lag shows in the details.
   */
  readiness(): Readiness;
  /** True once the first rebuild reached the log's end. */
  rebuilt(): boolean;
  /**
   * Read-your-writes: waits for the first rebuild, then until the model has applied the positions in a
   * `bookshelf-after` token (the writes the caller made through the gateway). Bad tokens are 400; a model that
   * cannot catch up in time answers 503.
   */
  catchUp(afterToken: string | undefined, timeoutMs?: number): Promise<void>;
  /** Waits until the model has applied everything in the log up to now (asks the broker for its end); else 503. */
  settle(timeoutMs?: number): Promise<void>;
  /** Resolves once the event at `position` is applied (EVT_ERR_TIMEOUT otherwise). */
  waitForPosition(position: Position, timeoutMs?: number): Promise<void>;
  /** Resolves once the model has applied the log up to its current end (EVT_ERR_TIMEOUT otherwise). */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
  stats(): SubscriptionStats | undefined;
  /** Rejects when the model can never serve (a non-retriable subscribe error): the host stops the process. */
  readonly failed: Promise<never>;
  stop(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

/**
 * In-memory state rebuilt from the log at every start: a view (or an aggregate's view of the world) reads its
 * topics from the beginning on each start and keeps up from there.
 *
 * Returns at once, so the service opens its HTTP port at once and reports not ready while the model subscribes
 * and rebuilds; a subscribe that fails for a passing reason (broker not up yet) is retried with backoff.
 */
export async function startReadModel(bus: EventBus, opts: ReadModelOptions): Promise<ReadModel> {
  const log = opts.log.child({ readModel: opts.group });
  // Replay assumes the group has one member reading these topics only. Members of one Kafka group that read
  // other topics would be handed partitions of them (kafkajs assigns across all members' topics), so the
  // topics are part of the name: `lastreadbooks.lastread1@bookshelf`.
  const group = `${opts.group}@${[...opts.topics].sort().join(',')}`;
  const stopping = new AbortController();
  let subscription: Subscription | undefined;
  let rebuilt = false;
  let lastError: string | undefined;
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  failed.catch(() => undefined);
  const subscribed = defer<Subscription>();
  let rebuiltOnce = defer<void>();

  const subscribe = async (): Promise<Subscription | undefined> => {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      try {
        return await bus.subscribe({
          topics: opts.topics,
          group,
          replay: true,
          registry: opts.registry,
          ...(opts.ingest ? { ingest: opts.ingest } : {}),
          ...(opts.reset
            ? {
                onLogReset: 'replay' as const,
                onReset: (reset: LogReset) => {
                  log.warn({ topic: reset.topic, reason: reset.reason }, 'the log was reset: rebuilding the view');
                  opts.reset!();
                  rebuilt = false;
                  rebuiltOnce = defer<void>();
                  void waitForRebuild();
                },
              }
            : {}),
          handler: (event, ctx): Outcome => {
            opts.ledger?.observe(event, ctx.position);
            return opts.apply(event) ? ack() : skip('not for this model');
          },
        });
      } catch (err) {
        lastError = (err as Error).message;
        if (!isRetriableError(err)) {
          log.error({ err }, 'read model cannot subscribe');
          fail(err as Error);
          return undefined;
        }
        log.warn({ err: lastError, attempt }, 'read model could not subscribe yet; retrying');
        await sleepUnless(backoffDelay({ maxAttempts: 1, baseMs: 200, maxMs: 5_000 }, attempt), stopping.signal);
      }
    }
    return undefined;
  };

  const waitForRebuild = async () => {
    while (subscription && !rebuilt && !stopping.signal.aborted) {
      try {
        await subscription.waitUntilCaughtUp(60_000);
        rebuilt = true;
        rebuiltOnce.resolve();
      } catch (err) {
        if (isEventLibError(err, 'EVT_ERR_CLOSED') || isEventLibError(err, 'EVT_ERR_LOG_RESET')) return;
        log.warn({ err }, 'read model still rebuilding');
      }
    }
  };

  void (async () => {
    subscription = await subscribe();
    if (subscription === undefined) return;
    if (stopping.signal.aborted) {
      await subscription.close();
      return;
    }
    lastError = undefined;
    subscribed.resolve(subscription);
    // A subscription that stops on its own (its log was reset, and this model cannot rebuild) ends the model.
    void subscription.failed.then((err) => {
      lastError = err.message;
      log.error({ err }, 'read model stopped');
      fail(err);
    });
    await waitForRebuild();
  })();

  /** The subscription, waiting for it up to `timeoutMs`; 503 while it is not there yet. */
  const ready = async (timeoutMs: number): Promise<Subscription> => {
    if (subscription) return subscription;
    const got = await Promise.race([subscribed.promise, delay(timeoutMs)]);
    if (got === undefined) {
      throw problem(503, 'REST_ERR_UNAVAILABLE', `the service is starting: its read model is not subscribed yet`);
    }
    return got;
  };

  return {
    readiness() {
      if (!subscription) {
        return { ready: false, checks: { bus: bus.kind, subscribed: false, ...(lastError ? { lastError } : {}) } };
      }
      const stats = subscription.stats();
      return {
        ready: rebuilt,
        checks: {
          bus: bus.kind,
          rebuilt,
          caughtUp: subscription.caughtUp(),
          handled: stats.handled,
          poison: stats.poison,
        },
      };
    },
    rebuilt: () => rebuilt,
    async catchUp(afterToken, timeoutMs = DEFAULT_WAIT_MS) {
      let positions: Position[] = [];
      if (afterToken) {
        try {
          positions = decodePositions(afterToken).filter((p) => opts.topics.includes(p.topic));
        } catch (err) {
          throw problem(400, 'REST_ERR_VALIDATION', `header bookshelf-after: ${(err as Error).message}`);
        }
      }
      const deadline = Date.now() + timeoutMs;
      const sub = await ready(timeoutMs);
      if (
        !rebuilt &&
        (await Promise.race([rebuiltOnce.promise.then(() => true), delay(deadline - Date.now())])) !== true
      ) {
        throw problem(503, 'REST_ERR_UNAVAILABLE', `the view is still rebuilding from the log; try again shortly`);
      }
      try {
        await Promise.all(positions.map((p) => sub.waitForPosition(p, Math.max(1, deadline - Date.now()))));
      } catch {
        throw problem(
          503,
          'REST_ERR_UNAVAILABLE',
          `the view has not caught up with your writes within ${timeoutMs} ms`,
        );
      }
    },
    async settle(timeoutMs = DEFAULT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      const sub = await ready(timeoutMs);
      try {
        await sub.waitUntilCaughtUp(Math.max(1, deadline - Date.now()));
      } catch {
        throw problem(503, 'REST_ERR_UNAVAILABLE', `the service has not caught up with the log within ${timeoutMs} ms`);
      }
    },
    async waitForPosition(position, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      await (await ready(timeoutMs)).waitForPosition(position, Math.max(1, deadline - Date.now()));
    },
    async waitUntilCaughtUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      await (await ready(timeoutMs)).waitUntilCaughtUp(Math.max(1, deadline - Date.now()));
    },
    stats: () => subscription?.stats(),
    failed,
    async stop() {
      stopping.abort();
      await subscription?.close();
    },
  };
}

function defer<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), Math.max(0, ms)).unref());
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
