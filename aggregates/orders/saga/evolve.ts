import { frozenEntity } from '../shared/crud.js';
import { subtractMoney } from '../shared/money.js';
import type { OrderCreated } from '../order/schema.js';
import type { OrdersState, OrdersStateDraft } from '../state.js';
import type { ReservedItem, SagaEvent } from './schema.js';
import type { SagaEventType } from './steps.js';

/** Adds `sign * quantity` to each inventory row still there (a deleted row stays deleted). */
function moveStock(draft: OrdersStateDraft, items: readonly ReservedItem[], sign: 1 | -1): void {
  const inventory = draft.write('inventory');
  for (const item of items) {
    const row = inventory.get(item.inventory_id);
    if (row !== undefined) inventory.set(row.id, frozenEntity({ ...row, amount: row.amount + sign * item.quantity }));
  }
}

/**
 * Applies the saga's events. Each one is applied at most once per order id (the marker in `reservations` /
 * `charges`), so a duplicate in the log moves no stock and charges no balance twice.
 */
export function evolveSaga(draft: OrdersStateDraft, event: SagaEvent): void {
  switch (event.type) {
    case 'stock-reserved': {
      const { order_id, customer_id, items, total } = event.data;
      if (draft.read('reservations').has(order_id)) return;
      moveStock(draft, items, -1);
      draft
        .write('reservations')
        .set(order_id, frozenEntity({ order_id, customer_id, status: 'reserved', items, total }));
      return;
    }
    case 'stock-reservation-failed': {
      const { order_id, customer_id } = event.data;
      if (draft.read('reservations').has(order_id)) return;
      draft
        .write('reservations')
        .set(order_id, frozenEntity({ order_id, customer_id, status: 'failed', items: [], total: 0 }));
      return;
    }
    case 'stock-released': {
      const reservation = draft.read('reservations').get(event.data.order_id);
      if (reservation === undefined || reservation.status !== 'reserved') return;
      moveStock(draft, reservation.items, 1);
      draft.write('reservations').set(reservation.order_id, frozenEntity({ ...reservation, status: 'released' }));
      return;
    }
    case 'customer-charged': {
      const { order_id, customer_id, amount } = event.data;
      if (draft.read('charges').has(order_id)) return;
      const customers = draft.write('customers');
      const customer = customers.get(customer_id);
      if (customer !== undefined) {
        customers.set(customer_id, frozenEntity({ ...customer, balance: subtractMoney(customer.balance, amount) }));
      }
      draft.write('charges').set(order_id, frozenEntity({ order_id, customer_id, status: 'charged', amount }));
      return;
    }
    case 'charge-failed': {
      const { order_id, customer_id, amount } = event.data;
      if (draft.read('charges').has(order_id)) return;
      draft.write('charges').set(order_id, frozenEntity({ order_id, customer_id, status: 'failed', amount }));
      return;
    }
    case 'order-status-changed': {
      const orders = draft.write('orders');
      const order = orders.get(event.data.id);
      if (order !== undefined) orders.set(order.id, frozenEntity({ ...order, status: event.data.status }));
      return;
    }
  }
}

/** `order-created` starts the order's saga: recorded once per order id, kept when the order is deleted. */
export function recordSagaStart(draft: OrdersStateDraft, event: OrderCreated): void {
  const { id: order_id, customer_id } = event.data;
  if (draft.read('sagas').has(order_id)) return;
  draft.write('sagas').set(order_id, frozenEntity({ order_id, customer_id }));
}

/**
 * The stock and money outcomes `evolveSaga` has recorded for an order, read back from its markers: what
 * `reservations` and `charges` hold once each of these events was folded (`order-status-changed` is not among
 * them: it moves neither).
 */
export function recordedSagaOutcomes(
  state: Pick<OrdersState, 'reservations' | 'charges'>,
  orderId: string,
): SagaEventType[] {
  const outcomes: SagaEventType[] = [];
  switch (state.reservations.get(orderId)?.status) {
    case 'reserved':
      outcomes.push('stock-reserved');
      break;
    case 'failed':
      outcomes.push('stock-reservation-failed');
      break;
    case 'released':
      outcomes.push('stock-reserved', 'stock-released');
      break;
    case undefined:
      break;
  }
  switch (state.charges.get(orderId)?.status) {
    case 'charged':
      outcomes.push('customer-charged');
      break;
    case 'failed':
      outcomes.push('charge-failed');
      break;
    case undefined:
      break;
  }
  return outcomes;
}
