import type { Logger } from 'pino';
import {
  ack,
  isEventLibError,
  skip,
  type Envelope,
  type EventBus,
  type EventRegistry,
  type IngestRules,
  type Outcome,
  type Subscription,
  decodePositions,
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
  log: Logger;
}

export interface ReadModel {
  readonly subscription: Subscription;
  /**
   * Ready once the model has caught up with the log for the first time after its start (the rebuild), and from
   * then on: under a steady stream of writes a live model is rarely "caught up" at an instant, and dropping out of
   * discovery for that would flap. Current lag shows in the details.
   */
  readiness(): Readiness;
  /**
   * Read-your-writes: waits until the model has applied the positions in a `bookshelf-after` token (the writes the
   * caller made through the gateway). Bad tokens are 400; a model that cannot catch up in time answers 503.
   */
  catchUp(afterToken: string | undefined, timeoutMs?: number): Promise<void>;
  /** Waits until the model has applied everything in the log up to now (asks the broker for its end); else 503. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * In-memory state rebuilt from the log at every start: a view (or an aggregate's view of the world) reads its
 * topics from the beginning on each start and keeps up from there.
 */
export async function startReadModel(bus: EventBus, opts: ReadModelOptions): Promise<ReadModel> {
  const subscription = await bus.subscribe({
    topics: opts.topics,
    // Replay assumes the group has one member reading these topics only. Members of one Kafka group that read
    // other topics would be handed partitions of them (kafkajs assigns across all members' topics), so the
    // topics are part of the name: `lastreadbooks.lastread1@bookshelf`.
    group: `${opts.group}@${[...opts.topics].sort().join(',')}`,
    replay: true,
    registry: opts.registry,
    ...(opts.ingest ? { ingest: opts.ingest } : {}),
    handler: (event, ctx): Outcome => {
      opts.ledger?.observe(event, ctx.position);
      return opts.apply(event) ? ack() : skip('not for this model');
    },
  });
  let rebuilt = false;
  let stopped = false;
  void (async () => {
    while (!rebuilt && !stopped) {
      try {
        await subscription.waitUntilCaughtUp(60_000);
        rebuilt = true;
      } catch (err) {
        if (isEventLibError(err, 'EVT_ERR_CLOSED')) return;
        opts.log.warn({ err, group: opts.group }, 'read model still rebuilding');
      }
    }
  })();
  return {
    subscription,
    readiness() {
      const stats = subscription.stats();
      const caughtUp = subscription.caughtUp();
      return {
        ready: rebuilt,
        checks: { bus: bus.kind, rebuilt, caughtUp, handled: stats.handled, poison: stats.poison },
      };
    },
    async catchUp(afterToken, timeoutMs = 5000) {
      if (!afterToken) return;
      let positions;
      try {
        positions = decodePositions(afterToken).filter((p) => opts.topics.includes(p.topic));
      } catch (err) {
        throw problem(400, 'REST_ERR_VALIDATION', `header bookshelf-after: ${(err as Error).message}`);
      }
      try {
        await Promise.all(positions.map((p) => subscription.waitForPosition(p, timeoutMs)));
      } catch {
        throw problem(
          503,
          'REST_ERR_UNAVAILABLE',
          `the view has not caught up with your writes within ${timeoutMs} ms`,
        );
      }
    },
    async settle(timeoutMs = 5000) {
      try {
        await subscription.waitUntilCaughtUp(timeoutMs);
      } catch {
        throw problem(503, 'REST_ERR_UNAVAILABLE', `the service has not caught up with the log within ${timeoutMs} ms`);
      }
    },
    stop: () => {
      stopped = true;
      return subscription.close();
    },
  };
}
