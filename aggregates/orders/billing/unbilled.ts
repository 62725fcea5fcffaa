import type { Order } from '../order/schema.js';
import type { OrdersState } from '../state.js';

/**
 * Orders not billed yet: every existing order (whatever its status) without a `done` billing. A billing with
 * `done: false` is only a payment request, so its order still counts as unbilled. Creation order.
 */
export function unbilledOrders(state: Pick<OrdersState, 'orders' | 'billings'>): Order[] {
  const billed = new Set<string>();
  for (const billing of state.billings.values()) if (billing.done) billed.add(billing.order_id);
  return [...state.orders.values()].filter((order) => !billed.has(order.id));
}
