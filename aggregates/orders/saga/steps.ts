import type { OrdersEvent, OrdersEventType } from '../events.js';
import type { OrdersState } from '../state.js';
import { chargeCustomer } from './chargeCustomer.js';
import { releaseStock } from './releaseStock.js';
import { reserveStock } from './reserveStock.js';
import type { SagaEvent } from './schema.js';
import { settleOrder } from './settleOrder.js';

/** The services that take part in the saga; each owns the steps it runs and the state those steps read. */
export type SagaParticipant = 'inventory' | 'accounts' | 'orders';
export type SagaStepName = 'reserve-stock' | 'charge-customer' | 'release-stock' | 'settle-order';

export interface SagaStepDefinition {
  readonly participant: SagaParticipant;
  /** The event types that run this step. */
  readonly triggers: readonly OrdersEventType[];
}

/**
 * The order saga, step by step:
 *   order-created --reserve-stock--> stock-reserved | stock-reservation-failed
 *   stock-reserved --charge-customer--> customer-charged | charge-failed
 *   charge-failed --release-stock--> stock-released                   (compensation)
 *   stock-reservation-failed | customer-charged | stock-released --settle-order--> order-status-changed
 */
export const SAGA_STEPS: Readonly<Record<SagaStepName, SagaStepDefinition>> = Object.freeze({
  'reserve-stock': { participant: 'inventory', triggers: ['order-created'] },
  'charge-customer': { participant: 'accounts', triggers: ['stock-reserved'] },
  'release-stock': { participant: 'inventory', triggers: ['charge-failed'] },
  'settle-order': {
    participant: 'orders',
    triggers: ['stock-reservation-failed', 'customer-charged', 'stock-released'],
  },
});

const STEP_NAMES = Object.keys(SAGA_STEPS) as SagaStepName[];

/** The idempotency key of one step for one order: `<order id>:<step>`, e.g. `o-1:charge-customer`. */
export function sagaStepKey(orderId: string, step: SagaStepName): string {
  return `${orderId}:${step}`;
}

/** The order a saga event is about (`undefined` for events that start no step). */
export function sagaOrderId(event: OrdersEvent): string | undefined {
  switch (event.type) {
    case 'order-created':
      return event.data.id;
    case 'stock-reserved':
    case 'stock-reservation-failed':
    case 'customer-charged':
    case 'charge-failed':
    case 'stock-released':
      return event.data.order_id;
    default:
      return undefined;
  }
}

/** Runs one step on one event: the events to publish, or none (not a trigger of this step, or already done). */
export function runSagaStep(step: SagaStepName, event: OrdersEvent, state: OrdersState): SagaEvent[] {
  switch (step) {
    case 'reserve-stock':
      return event.type === 'order-created' ? reserveStock(event, state) : [];
    case 'charge-customer':
      return event.type === 'stock-reserved' ? chargeCustomer(event, state) : [];
    case 'release-stock':
      return event.type === 'charge-failed' ? releaseStock(event, state) : [];
    case 'settle-order':
      return event.type === 'stock-reservation-failed' ||
        event.type === 'customer-charged' ||
        event.type === 'stock-released'
        ? settleOrder(event, state)
        : [];
  }
}

export interface SagaReaction {
  readonly step: SagaStepName;
  readonly participant: SagaParticipant;
  /** `sagaStepKey(order id, step)`: what a service dedupes on. */
  readonly key: string;
  /** Empty when the step already ran for this order. */
  readonly events: readonly SagaEvent[];
}

/**
 * Every step `event` triggers (only `participant`'s steps when given), decided on `state`, which must already
 * include `event` and everything before it.
 */
export function sagaReactions(event: OrdersEvent, state: OrdersState, participant?: SagaParticipant): SagaReaction[] {
  const orderId = sagaOrderId(event);
  if (orderId === undefined) return [];
  const reactions: SagaReaction[] = [];
  for (const step of STEP_NAMES) {
    const definition = SAGA_STEPS[step];
    if (participant !== undefined && definition.participant !== participant) continue;
    if (!definition.triggers.includes(event.type)) continue;
    reactions.push({
      step,
      participant: definition.participant,
      key: sagaStepKey(orderId, step),
      events: runSagaStep(step, event, state),
    });
  }
  return reactions;
}
