import type { FinalOrderStatus } from '../order/schema.js';
import type { OrdersState } from '../state.js';
import type { ChargeFailed, CustomerCharged, OrderStatusChanged, StockReservationFailed } from './schema.js';

export type SettleOrderState = Pick<OrdersState, 'orders'>;
export type SettlingEvent = StockReservationFailed | CustomerCharged | ChargeFailed;

/** Which outcome ends the order in which status. */
export const FINAL_STATUS_BY_OUTCOME: Readonly<Record<SettlingEvent['type'], FinalOrderStatus>> = Object.freeze({
  'stock-reservation-failed': 'out-of-stock',
  'charge-failed': 'insufficient-fund',
  'customer-charged': 'to-be-shipped',
});

/**
 * The saga's last step, run by the orders participant: `stock-reservation-failed` -> `out-of-stock`,
 * `charge-failed` -> `insufficient-fund`, `customer-charged` -> `to-be-shipped`.
 *
 * Idempotent per order id: only a `pending` order moves, so the order reaches exactly one final status; a deleted
 * order emits nothing.
 */
export function settleOrder(event: SettlingEvent, state: SettleOrderState): [OrderStatusChanged] | [] {
  const order = state.orders.get(event.data.order_id);
  if (order === undefined || order.status !== 'pending') return [];
  return [
    {
      type: 'order-status-changed',
      data: { id: order.id, customer_id: order.customer_id, status: FINAL_STATUS_BY_OUTCOME[event.type] },
    },
  ];
}
