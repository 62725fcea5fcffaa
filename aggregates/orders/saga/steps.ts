import type { OrdersEvent, OrdersEventOf, OrdersEventType } from '../events.js';
import type { OrdersState } from '../state.js';
import { chargeCustomer } from './chargeCustomer.js';
import { releaseStock } from './releaseStock.js';
import { reserveStock } from './reserveStock.js';
import type { SagaEvent } from './schema.js';
import { settleOrder } from './settleOrder.js';

export type SagaEventType = SagaEvent['type'];

/** The event that starts an order's saga: the trigger of its first step. */
export const SAGA_START = 'order-created' satisfies OrdersEventType;

/**
 * One step of the order saga as data: who runs it, on which events, with which pure function, and what it may
 * emit. Everything else about the steps (the participants' trigger sets, the reactors of `orders-saga`,
 * `runSagaLocally`, the orders in flight, the events' order ids) is derived from the declarations below.
 */
export interface SagaStepDeclaration<Name extends string = string, Participant extends string = string> {
  readonly name: Name;
  /** The service that runs it: the only one that changes what the step changes. */
  readonly participant: Participant;
  /** The event types that run this step. */
  readonly triggers: readonly OrdersEventType[];
  /** Every event type the step may emit. */
  readonly emits: readonly SagaEventType[];
  /** Of `emits`, those after which no more stock or money moves for the order (`sagasInFlight`). */
  readonly endsMoving: readonly SagaEventType[];
  /** The pure step: the events to publish, or none (`event` is not a trigger, or the step already ran). */
  readonly run: (event: OrdersEvent, state: OrdersState) => readonly SagaEvent[];
}

/**
 * Declares a step, checked by the compiler: `run` takes exactly the trigger events and returns only events listed
 * in `emits`; `endsMoving` is a subset of `emits`.
 */
function sagaStep<
  const Name extends string,
  const Participant extends string,
  Trigger extends OrdersEventType,
  Emitted extends SagaEventType,
>(step: {
  readonly name: Name;
  readonly participant: Participant;
  readonly triggers: readonly Trigger[];
  readonly emits: readonly Emitted[];
  readonly endsMoving: readonly NoInfer<Emitted>[];
  readonly run: (event: OrdersEventOf<Trigger>, state: OrdersState) => readonly OrdersEventOf<Emitted>[];
}): SagaStepDeclaration<Name, Participant> {
  const triggers = new Set<OrdersEventType>(step.triggers);
  return Object.freeze({
    name: step.name,
    participant: step.participant,
    triggers: Object.freeze([...step.triggers]),
    emits: Object.freeze([...step.emits]),
    endsMoving: Object.freeze([...step.endsMoving]),
    run: (event: OrdersEvent, state: OrdersState) =>
      triggers.has(event.type) ? step.run(event as OrdersEventOf<Trigger>, state) : [],
  });
}

/**
 * The order saga, declared once (see README.md, "The order saga"):
 *
 *   order-created --reserve-stock [inventory]--> stock-reserved | stock-reservation-failed*
 *   stock-reserved --charge-customer [accounts]--> customer-charged* | charge-failed
 *   charge-failed --release-stock [inventory]--> stock-released*                 (compensation)
 *   stock-reservation-failed | customer-charged | stock-released --settle-order [orders]--> order-status-changed
 *
 * `*`: the outcome ends the order's stock and money moves (`endsMoving`). A failed charge settles the order only
 * after its compensation, on `stock-released`, so a client that sees `insufficient-fund` also sees the stock back.
 */
export const ORDER_SAGA_STEPS = Object.freeze([
  sagaStep({
    name: 'reserve-stock',
    participant: 'inventory',
    triggers: [SAGA_START],
    run: reserveStock,
    emits: ['stock-reserved', 'stock-reservation-failed'],
    endsMoving: ['stock-reservation-failed'],
  }),
  sagaStep({
    name: 'charge-customer',
    participant: 'accounts',
    triggers: ['stock-reserved'],
    run: chargeCustomer,
    emits: ['customer-charged', 'charge-failed'],
    endsMoving: ['customer-charged'],
  }),
  sagaStep({
    name: 'release-stock',
    participant: 'inventory',
    triggers: ['charge-failed'],
    run: releaseStock,
    emits: ['stock-released'],
    endsMoving: ['stock-released'],
  }),
  sagaStep({
    name: 'settle-order',
    participant: 'orders',
    triggers: ['stock-reservation-failed', 'customer-charged', 'stock-released'],
    run: settleOrder,
    emits: ['order-status-changed'],
    endsMoving: [],
  }),
] as const);

type DeclaredStep = (typeof ORDER_SAGA_STEPS)[number];
/** The services that take part in the saga; each owns the steps it runs and the state those steps read. */
export type SagaParticipant = DeclaredStep['participant'];
export type SagaStepName = DeclaredStep['name'];

/** The participants, in the order their first step is declared: inventory, accounts, orders. */
export const SAGA_PARTICIPANTS: readonly SagaParticipant[] = Object.freeze([
  ...new Set(ORDER_SAGA_STEPS.map((step) => step.participant)),
]);

const STEP_BY_NAME = new Map<SagaStepName, DeclaredStep>(ORDER_SAGA_STEPS.map((step) => [step.name, step]));

export interface SagaStepDefinition {
  readonly participant: SagaParticipant;
  /** The event types that run this step. */
  readonly triggers: readonly OrdersEventType[];
}

/** Who runs each step on what, by step name (a view of `ORDER_SAGA_STEPS`). */
export const SAGA_STEPS: Readonly<Record<SagaStepName, SagaStepDefinition>> = Object.freeze(
  Object.fromEntries(
    ORDER_SAGA_STEPS.map((step) => [
      step.name,
      Object.freeze({ participant: step.participant, triggers: step.triggers }),
    ]),
  ) as Record<SagaStepName, SagaStepDefinition>,
);

/** The event types that run one of `participant`'s steps (any participant's when not given). */
export function sagaTriggers(participant?: SagaParticipant): ReadonlySet<OrdersEventType> {
  return new Set(
    ORDER_SAGA_STEPS.filter((step) => participant === undefined || step.participant === participant).flatMap(
      (step) => step.triggers,
    ),
  );
}

const TRIGGERS = sagaTriggers();

/** The outcomes after which an order's saga moves no more stock or money (`endsMoving` of every step). */
export const SAGA_MOVING_ENDS: ReadonlySet<SagaEventType> = new Set(ORDER_SAGA_STEPS.flatMap((s) => s.endsMoving));

/** The idempotency key of one step for one order: `<order id>:<step>`, e.g. `o-1:charge-customer`. */
export function sagaStepKey(orderId: string, step: SagaStepName): string {
  return `${orderId}:${step}`;
}

/** The order a saga trigger is about (`undefined` for events that run no step). */
export function sagaOrderId(event: OrdersEvent): string | undefined {
  if (!TRIGGERS.has(event.type)) return undefined;
  const { data } = event;
  if ('order_id' in data) return data.order_id;
  return event.type === SAGA_START ? event.data.id : undefined;
}

/** Runs one step on one event: the events to publish, or none (not a trigger of this step, or already done). */
export function runSagaStep(step: SagaStepName, event: OrdersEvent, state: OrdersState): readonly SagaEvent[] {
  return STEP_BY_NAME.get(step)?.run(event, state) ?? [];
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
  for (const step of ORDER_SAGA_STEPS) {
    if (participant !== undefined && step.participant !== participant) continue;
    if (!step.triggers.includes(event.type)) continue;
    reactions.push({
      step: step.name,
      participant: step.participant,
      key: sagaStepKey(orderId, step.name),
      events: step.run(event, state),
    });
  }
  return reactions;
}
