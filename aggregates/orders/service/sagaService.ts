import { z } from 'zod';
import { newEvent, type EventBus } from '../../../eventlib/index.js';
import type { Logger } from 'pino';
import type {
  PlatformDeps,
  ServiceComponent,
  ComponentIdentity,
  Decider,
  DeciderWire,
  LogDecider,
} from '../../../platform/index.js';
import { startLogDecider } from '../../../platform/index.js';
import {
  emptyOrdersState,
  evolve,
  ordersEventKey,
  recordedOrdersEvent,
  SAGA_PARTICIPANTS,
  sagaReactions,
  sagaTriggers,
  type OrdersEvent,
  type OrdersState,
  type RecordedOrdersEvent,
  type SagaParticipant,
} from '../index.js';
import { groupSchema, identitySchema, topicNameSchema, validOptions } from '../../../platform/index.js';
import { ensureOrdersTopic, ordersRegistry } from './topics.js';

/** The saga's participants (declared with its steps, `ORDER_SAGA_STEPS`). */
export { SAGA_PARTICIPANTS };

export interface OrdersSagaOptions {
  identity: ComponentIdentity;
  topic: string;
  /** Prefix of the consumer groups: `<group>-inventory`, `<group>-accounts`, `<group>-orders`. */
  group: string;
  /** Which participants this process runs (default all three). */
  participants?: readonly SagaParticipant[];
}

const OptionsSchema = z.object({
  identity: identitySchema,
  topic: topicNameSchema,
  group: groupSchema,
  participants: z
    .array(z.enum(SAGA_PARTICIPANTS as [SagaParticipant, ...SagaParticipant[]]))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a participant')
    .default([...SAGA_PARTICIPANTS]),
});

/**
 * One participant's steps as a decider on the orders log: the commands are the participant's triggers (the other
 * events of the topic are skipped), decided on the state folded from the same topic, which holds the trigger and
 * everything the log had when the batch started (its own earlier outputs too, so a redelivered trigger finds the
 * step's marker and decides nothing).
 */
function participantDecider(participant: SagaParticipant): Decider<RecordedOrdersEvent, OrdersEvent, OrdersState, never> {
  return {
    initialState: emptyOrdersState,
    decide: (trigger, state) => sagaReactions(trigger, state, participant).flatMap((r) => r.events),
    evolve,
    isRejection: (_value): _value is never => false,
  };
}

function participantWire(
  participant: SagaParticipant,
  producer: string,
  clock: PlatformDeps['clock'],
): DeciderWire<RecordedOrdersEvent, OrdersEvent, never> {
  const triggers: ReadonlySet<string> = sagaTriggers(participant);
  return {
    command: (envelope) => {
      const event = recordedOrdersEvent(envelope);
      return event !== undefined && triggers.has(event.type) ? event : undefined;
    },
    event: (envelope) => recordedOrdersEvent(envelope),
    envelopes: (events, causedBy) =>
      events.map((e) => newEvent({ type: e.type, key: ordersEventKey(e), data: e.data, producer, causedBy, clock })),
    describe: () => 'never rejected',
  };
}

/** A participant on the write-side engine: its own consumer group on the orders topic, and a follower of it. */
function startParticipant(
  bus: EventBus,
  opts: { topic: string; group: string; id: string; participant: SagaParticipant; clock: PlatformDeps['clock'] },
  log: Logger,
): Promise<LogDecider<OrdersState>> {
  const { participant } = opts;
  return startLogDecider(bus, {
    name: `${opts.id}-${participant}`,
    commandsTopic: opts.topic,
    eventsTopic: opts.topic,
    group: `${opts.group}-${participant}`,
    registry: ordersRegistry(),
    decider: participantDecider(participant),
    wire: participantWire(participant, `${opts.id}/${participant}`, opts.clock),
    log,
    afterAppend: async (appended) => {
      for (const e of appended) log.info({ participant, order: e.data, type: e.type }, 'saga step');
    },
  });
}

/**
 * `orders-saga`: the order saga's participants, each a durable consumer group of its own on the orders topic:
 * inventory (reserve-stock, release-stock), accounts (charge-customer), orders (settle-order), as the domain
 * declares them (`ORDER_SAGA_STEPS`): one write-side engine (`startLogDecider`) per participant, whose commands are
 * its steps' triggers and whose events are its steps' outputs, on the same topic.
 */
export async function ordersSagaService(deps: PlatformDeps, options: OrdersSagaOptions): Promise<ServiceComponent> {
  const opts = validOptions(OptionsSchema, options, 'orders-saga');
  const participants: readonly SagaParticipant[] = opts.participants;
  const log = deps.log.child({ component: 'orders-saga', topic: opts.topic });
  await ensureOrdersTopic(deps.bus, opts.topic);
  const engines = new Map<SagaParticipant, LogDecider<OrdersState>>();
  const stopAll = () => Promise.allSettled([...engines.values()].map((e) => e.close())).then(() => undefined);
  try {
    for (const participant of participants) {
      const engine = await startParticipant(
        deps.bus,
        { topic: opts.topic, group: opts.group, id: opts.identity.id, participant, clock: deps.clock },
        log.child({ participant }),
      );
      engines.set(participant, engine);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const failed = Promise.race([...engines.values()].map((e) => e.failed)).then((err) => {
    log.error({ err }, 'orders saga stopped');
    throw err;
  });
  failed.catch(() => undefined);

  return {
    identity: opts.identity,
    description: `Order saga participants (${participants.join(', ')}): reserve stock, charge, release, settle`,
    routes(app) {
      app.get(
        '/status',
        {
          schema: {
            summary: 'What each participant has handled',
            tags: ['orders'],
            response: { 200: z.record(z.string(), z.unknown()) },
          },
        },
        () =>
          Object.fromEntries(
            [...engines].map(([name, e]) => [name, { ...e.commands.stats(), decider: e.stats() }]),
          ),
      );
    },
    readiness: () => {
      const rebuilt = [...engines.values()].every((e) => e.ready());
      return { ready: rebuilt, checks: { bus: deps.bus.kind, rebuilt, participants: participants.join(',') } };
    },
    failed,
    stop: stopAll,
  };
}
