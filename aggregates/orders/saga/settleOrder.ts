import type { FinalOrderStatus } from '../order/schema.js';
import type { OrdersState } from '../state.js';
import type { CustomerCharged, OrderStatusChanged, StockReleased, StockReservationFailed } from './schema.js';

export type SettleOrderState = Pick<OrdersState, 'orders'>;
export type SettlingEvent = StockReservationFailed | CustomerCharged | StockReleased;

/** Which outcome ends the order in which status. */
export const FINAL_STATUS_BY_OUTCOME: Readonly<Record<SettlingEvent['type'], FinalOrderStatus>> = Object.freeze({
  'stock-reservation-failed': 'out-of-stock',
  'stock-released': 'insufficient-fund',
  'customer-charged': 'to-be-shipped',
});

/**
 * The saga's last step, run by the orders participant: `stock-reservation-failed` -> `out-of-stock`,
 * `stock-released` (the compensation of a failed charge) -> `insufficient-fund`, `customer-charged` ->
 * `to-be-shipped`. An order reads `insufficient-fund` only once its stock is back, never before.
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
