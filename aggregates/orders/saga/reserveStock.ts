import type { Inventory } from '../inventory/schema.js';
import type { OrderCreated } from '../order/schema.js';
import { fromCents, toCents } from '../shared/money.js';
import type { OrdersState } from '../state.js';
import type { MissingStock, ReservedItem, StockReservationFailed, StockReserved } from './schema.js';

export type ReserveStockState = Pick<OrdersState, 'products' | 'inventory' | 'reservations'>;

/**
 * Saga step 1, run by the inventory participant on `order-created`.
 *
 * All or nothing: every unit of the order is reserved, or none. Repeated product ids count as units
 * ([201, 201] needs two). A product counts as in stock only if it exists and its inventory rows (all rows with
 * that product_id, taken in creation order) hold enough; an unknown product has 0 available. Success prices the
 * units at the current product prices (`total`) for the charge step.
 *
 * Idempotent per order id: once `reservations` holds the order (reserved, failed or released), it emits nothing.
 */
export function reserveStock(
  event: OrderCreated,
  state: ReserveStockState,
): [StockReserved | StockReservationFailed] | [] {
  const { id: order_id, customer_id, product_ids } = event.data;
  if (state.reservations.has(order_id)) return [];

  const requested = new Map<string, number>();
  for (const productId of product_ids) requested.set(productId, (requested.get(productId) ?? 0) + 1);

  const rowsByProduct = new Map<string, Inventory[]>();
  for (const row of state.inventory.values()) {
    if (!requested.has(row.product_id)) continue;
    const rows = rowsByProduct.get(row.product_id);
    if (rows === undefined) rowsByProduct.set(row.product_id, [row]);
    else rows.push(row);
  }

  const missing: MissingStock[] = [];
  const items: ReservedItem[] = [];
  let totalCents = 0;
  for (const [product_id, quantity] of requested) {
    const product = state.products.get(product_id);
    const rows = product === undefined ? [] : (rowsByProduct.get(product_id) ?? []);
    const available = rows.reduce((sum, row) => sum + Math.max(0, row.amount), 0);
    if (product === undefined || available < quantity) {
      missing.push({ product_id, requested: quantity, available });
      continue;
    }
    let left = quantity;
    for (const row of rows) {
      const take = Math.min(left, Math.max(0, row.amount));
      if (take > 0) items.push({ inventory_id: row.id, product_id, quantity: take });
      left -= take;
      if (left === 0) break;
    }
    totalCents += toCents(product.price) * quantity;
  }

  if (missing.length > 0) return [{ type: 'stock-reservation-failed', data: { order_id, customer_id, missing } }];
  return [{ type: 'stock-reserved', data: { order_id, customer_id, items, total: fromCents(totalCents) } }];
}
