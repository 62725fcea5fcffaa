import type { Logger } from 'pino';
import {
  ack,
  newEvent,
  skip,
  type Envelope,
  type EventBus,
  type Subscription,
  type SubscriptionStats,
} from '../../../eventlib/index.js';
import { recordedOrdersEvent, type OrdersState, type RecordedOrdersEvent } from '../index.js';
import type { OrdersStateModel } from './ordersStateModel.js';
import { ordersRegistry } from './topics.js';

/** What a reaction publishes: events for one topic (the orders topic, or the notifications topic). */
export interface ReactionOutput {
  readonly topic: string;
  readonly events: readonly { readonly type: string; readonly key: string; readonly data: unknown }[];
}

export interface ReactorOptions {
  bus: EventBus;
  /** The shared state of this process, folded exactly once per event (a replay subscription). */
  model: OrdersStateModel;
  topic: string;
  /** Durable consumer group: resumes where it stopped, so nothing published while it was down is missed. */
  group: string;
  /** Fixed member name, so a restarted process takes back its own unacknowledged entries at once (Redis). */
  consumerName: string;
  producer: string;
  log: Logger;
  /** Event types this reactor reacts to; the others are acknowledged without work. */
  triggers: ReadonlySet<string>;
  /** Decides on the state, which holds the trigger and everything before it (and possibly more). */
  react(event: RecordedOrdersEvent, envelope: Envelope, state: OrdersState): ReactionOutput | undefined;
  /**
   * Wait for the log's current end before deciding (default true): a saga step must see its own earlier output,
   * also what it published just before a crash. A notifier only needs the trigger folded.
   */
  untilLogEnd?: boolean;
  /** How long to wait for the state to fold the trigger and the log's end before retrying (ms). */
  waitMs?: number;
}

/** Jittered backoff up to 5 s, about an hour and a half of attempts before a trigger is dead-lettered. */
export const REACTOR_RETRY = Object.freeze({ maxAttempts: 1000, baseMs: 200, maxMs: 5_000 });

export interface Reactor {
  readonly subscription: Subscription;
  stats(): SubscriptionStats;
  stop(): Promise<void>;
}

/**
 * A saga participant or notifier: a durable consumer group on the orders topic that, for each trigger, waits until
 * the process's state has folded the trigger and the log's current end (so its own earlier outputs, also those
 * published just before a crash, are in the state and the domain's markers make a redelivery emit nothing),
 * decides, publishes, waits until its own events are folded (so the next decision sees them), then acks.
 * A crash anywhere before the ack redelivers the trigger.
 */
export async function startReactor(opts: ReactorOptions): Promise<Reactor> {
  const waitMs = opts.waitMs ?? 30_000;
  const state = opts.model;
  const subscription = await opts.bus.subscribe({
    topics: [opts.topic],
    group: opts.group,
    consumerName: opts.consumerName,
    from: 'beginning',
    // A saga step must not be dead-lettered by a passing outage (the order would stay pending): retry for long.
    retry: REACTOR_RETRY,
    registry: ordersRegistry(),
    handler: async (envelope, ctx) => {
      const event = recordedOrdersEvent(envelope);
      if (event === undefined || !opts.triggers.has(event.type)) return skip('not a trigger');
      await state.folded(ctx.position, waitMs);
      if (opts.untilLogEnd !== false) await state.model.waitUntilCaughtUp(waitMs);
      const output = opts.react(event, envelope, state.state());
      if (output !== undefined && output.events.length > 0) {
        const envelopes = output.events.map((e) =>
          newEvent({ type: e.type, key: e.key, data: e.data, producer: opts.producer, causedBy: envelope }),
        );
        const positions = await opts.bus.publish(output.topic, envelopes);
        if (output.topic === opts.topic) await state.folded(positions.at(-1)!, waitMs);
        ctx.log.debug({ published: envelopes.map((e) => e.type) }, 'reacted');
      }
      return ack();
    },
  });
  opts.log.debug({ group: opts.group }, 'reactor started');
  return {
    subscription,
    stats: () => subscription.stats(),
    stop: () => subscription.close(),
  };
}
