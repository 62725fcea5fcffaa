import { evolveBilling } from './billing/evolve.js';
import { evolveCustomer } from './customer/evolve.js';
import type { OrdersEvent } from './events.js';
import { evolveInventory } from './inventory/evolve.js';
import { evolveOrder } from './order/evolve.js';
import { evolveProduct } from './product/evolve.js';
import { evolveSaga, recordSagaStart } from './saga/evolve.js';
import { emptyOrdersState, OrdersStateDraft, type OrdersState } from './state.js';

/** Applies one event to a draft in place; event types of other domains are ignored. */
export function applyOrdersEvent(draft: OrdersStateDraft, event: OrdersEvent): void {
  switch (event.type) {
    case 'customer-created':
    case 'customer-updated':
    case 'customer-deleted':
      return evolveCustomer(draft, event);
    case 'product-created':
    case 'product-updated':
    case 'product-deleted':
      return evolveProduct(draft, event);
    case 'inventory-created':
    case 'inventory-updated':
    case 'inventory-deleted':
      return evolveInventory(draft, event);
    case 'order-created':
      evolveOrder(draft, event);
      return recordSagaStart(draft, event);
    case 'order-updated':
    case 'order-deleted':
      return evolveOrder(draft, event);
    case 'billing-created':
    case 'billing-updated':
    case 'billing-deleted':
      return evolveBilling(draft, event);
    case 'stock-reserved':
    case 'stock-reservation-failed':
    case 'stock-released':
    case 'customer-charged':
    case 'charge-failed':
    case 'order-status-changed':
      return evolveSaga(draft, event);
    default:
      return;
  }
}

/** `evolve(state, event) -> state`: pure; the given state is not changed. */
export function evolve(state: OrdersState, event: OrdersEvent): OrdersState {
  return evolveAll(state, [event]);
}

/** Folds events in order onto `state`; each touched collection is copied once, not once per event. */
export function evolveAll(state: OrdersState, events: Iterable<OrdersEvent>): OrdersState {
  const draft = new OrdersStateDraft(state);
  for (const event of events) applyOrdersEvent(draft, event);
  return draft.finish();
}

/** The state the log describes: every event folded, in log order, onto the empty state. */
export function rebuildOrdersState(events: Iterable<OrdersEvent>): OrdersState {
  return evolveAll(emptyOrdersState, events);
}
