import type { OrdersState } from '../state.js';
import type { ChargeFailed, StockReleased } from './schema.js';

export type ReleaseStockState = Pick<OrdersState, 'reservations'>;

/**
 * Compensation of step 1, run by the inventory participant on `charge-failed`: every unit reserved for the order
 * goes back to the inventory row it came from.
 *
 * Idempotent per order id: only a reservation still `reserved` is released; `released` (done before), `failed`
 * (nothing was taken) or no reservation at all emits nothing.
 */
export function releaseStock(event: ChargeFailed, state: ReleaseStockState): [StockReleased] | [] {
  const reservation = state.reservations.get(event.data.order_id);
  if (reservation === undefined || reservation.status !== 'reserved') return [];
  return [{ type: 'stock-released', data: { order_id: reservation.order_id, items: reservation.items } }];
}
