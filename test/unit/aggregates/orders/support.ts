// Local test support for the orders domain: the shared given/when/then helper wired to the orders decider and to
// the saga, plus small event builders. Not a test file itself.
import { deciderSpec, type SpecDecider as Decider } from '../../../../platform/testing/index.js';
import {
  decide,
  emptyOrdersState,
  evolve,
  isOrdersError,
  runSagaStep,
  sagaReactions,
  type Billing,
  type IdGenerator,
  type OrdersCommand,
  type OrdersError,
  type OrdersEvent,
  type OrdersState,
  type SagaStepName,
} from '../../../../aggregates/orders/index.js';

/** Ids `id-1`, `id-2`, ... : a deterministic stand-in for the uuid generator. */
export function sequenceIds(prefix = 'id'): IdGenerator {
  let next = 0;
  return {
    newId: () => {
      next += 1;
      return `${prefix}-${next}`;
    },
  };
}

/** The orders decider as is: `decide` returns its OrdersError, which `thenFails` compares. */
export const ordersDecider: Decider<OrdersCommand, OrdersEvent, OrdersState, IdGenerator, OrdersError> = {
  decide,
  evolve,
  initialState: emptyOrdersState,
};

/** The events a decide returned; throws the OrdersError it returned instead (for setup steps that must pass). */
export function decided<E>(result: E[] | OrdersError): E[] {
  if (isOrdersError(result)) throw result;
  return result;
}

/** Given events, when a command, then events or an error. Fresh generated ids (`id-1`, ...) per spec. */
export function ordersSpec(ids: IdGenerator = sequenceIds()) {
  return deciderSpec(ordersDecider, { context: ids });
}

/**
 * The saga as a decider: "given these events, when this event is delivered, then the steps it triggers emit these
 * events". Like a participant, the delivered event is applied to the state before the steps decide.
 */
export function sagaDecider(step?: SagaStepName): Decider<OrdersEvent, OrdersEvent, OrdersState, undefined, never> {
  return {
    decide(event, state) {
      const seen = evolve(state, event);
      return step === undefined
        ? sagaReactions(event, seen).flatMap((reaction) => reaction.events)
        : runSagaStep(step, event, seen);
    },
    evolve,
    initialState: emptyOrdersState,
  };
}

/** Every participant's steps, or only `step`. */
export function sagaSpec(step?: SagaStepName) {
  return deciderSpec(sagaDecider(step), { context: undefined });
}

// ---- event builders -----------------------------------------------------------------------------------------

export const customerCreated = (id: string, name: string, balance: number): OrdersEvent => ({
  type: 'customer-created',
  data: { id, name, email: `${name.toLowerCase()}@example.com`, balance },
});
export const productCreated = (id: string, name: string, price: number): OrdersEvent => ({
  type: 'product-created',
  data: { id, name, price },
});
export const inventoryCreated = (id: string, productId: string, amount: number): OrdersEvent => ({
  type: 'inventory-created',
  data: { id, product_id: productId, amount },
});
export const orderCreated = (id: string, customerId: string, productIds: string[]) =>
  ({
    type: 'order-created',
    data: { id, customer_id: customerId, product_ids: productIds, status: 'pending' },
  }) as const satisfies OrdersEvent;
export const billingCreated = (id: string, orderId: string, done: Billing['done']): OrdersEvent => ({
  type: 'billing-created',
  data: { id, order_id: orderId, done },
});

/** The seed's demo catalogue as events: customers 101-103, products and inventory rows 201-205. */
export const demoEvents: readonly OrdersEvent[] = [
  customerCreated('101', 'Anthony', 1000),
  customerCreated('102', 'Becky', 100),
  customerCreated('103', 'Carol', 1000),
  productCreated('201', 'Denon Speakers', 800),
  productCreated('202', 'Sonos Speakers', 600),
  productCreated('203', 'AudioPro Speakers', 400),
  productCreated('204', 'Google Home Mini', 100),
  productCreated('205', 'Xiaomi Soundbar', 300),
  inventoryCreated('201', '201', 4),
  inventoryCreated('202', '202', 7),
  inventoryCreated('203', '203', 4),
  inventoryCreated('204', '204', 3),
  inventoryCreated('205', '205', 8),
];

/** `{ productId: amount }` summed over inventory rows, for compact stock assertions. */
export function stockByProduct(state: OrdersState): Record<string, number> {
  const stock: Record<string, number> = {};
  for (const row of state.inventory.values()) stock[row.product_id] = (stock[row.product_id] ?? 0) + row.amount;
  return stock;
}
