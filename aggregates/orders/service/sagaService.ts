import { z } from 'zod';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../../platform/index.js';
import { ordersEventKey, SAGA_PARTICIPANTS, sagaReactions, sagaTriggers, type SagaParticipant } from '../index.js';
import { startOrdersStateModel } from './ordersStateModel.js';
import { startReactor, type Reactor } from './reactor.js';
import { groupSchema, identitySchema, topicNameSchema, validOptions } from '../../../platform/index.js';
import { ensureOrdersTopic } from './topics.js';

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
 * `orders-saga`: the order saga's participants, each a durable consumer group of its own on the orders topic:
 * inventory (reserve-stock, release-stock), accounts (charge-customer), orders (settle-order), as the domain
 * declares them (`ORDER_SAGA_STEPS`): one reactor per participant, woken by its steps' triggers. Each decides
 * with the domain's pure steps on the state this process rebuilds from the log, publishes, then acks (see
 * reactor.ts).
 */
export async function ordersSagaService(deps: PlatformDeps, options: OrdersSagaOptions): Promise<ServiceComponent> {
  const opts = validOptions(OptionsSchema, options, 'orders-saga');
  const participants: readonly SagaParticipant[] = opts.participants;
  const log = deps.log.child({ component: 'orders-saga', topic: opts.topic });
  await ensureOrdersTopic(deps.bus, opts.topic);
  const model = await startOrdersStateModel(deps.bus, {
    topic: opts.topic,
    group: `${opts.group}-state-${opts.identity.id}`,
    log,
  });
  const reactors = new Map<SagaParticipant, Reactor>();
  try {
    for (const participant of participants) {
      const reactor = await startReactor({
        bus: deps.bus,
        model,
        topic: opts.topic,
        group: `${opts.group}-${participant}`,
        consumerName: `${opts.identity.id}-${participant}`,
        producer: `${opts.identity.id}/${participant}`,
        log: log.child({ participant }),
        triggers: sagaTriggers(participant),
        react: (event, _envelope, state) => {
          const events = sagaReactions(event, state, participant).flatMap((r) => r.events);
          if (events.length > 0)
            log.info({ participant, order: events[0]?.data, types: events.map((e) => e.type) }, 'saga step');
          return {
            topic: opts.topic,
            events: events.map((e) => ({ type: e.type, key: ordersEventKey(e), data: e.data })),
          };
        },
      });
      reactors.set(participant, reactor);
    }
  } catch (err) {
    await Promise.allSettled([...reactors.values()].map((r) => r.stop()));
    await model.stop();
    throw err;
  }

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
        () => Object.fromEntries([...reactors].map(([name, r]) => [name, r.stats()])),
      );
    },
    readiness: () => {
      const base = model.model.readiness();
      return { ready: base.ready, checks: { ...base.checks, participants: participants.join(',') } };
    },
    failed: model.model.failed,
    stop: async () => {
      await Promise.allSettled([...reactors.values()].map((r) => r.stop()));
      await model.stop();
    },
  };
}
