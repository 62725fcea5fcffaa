import { subtractMoney, toCents } from '../shared/money.js';
import type { OrdersState } from '../state.js';
import type { ChargeFailed, CustomerCharged, StockReserved } from './schema.js';

export type ChargeCustomerState = Pick<OrdersState, 'customers' | 'charges'>;

/**
 * Saga step 2, run by the accounts participant on `stock-reserved`.
 *
 * Charges the reserved total to the customer's balance when the balance covers it (equal is enough);
 * otherwise `charge-failed` with reason `insufficient-fund`, or `unknown-customer` when the customer was deleted
 * after ordering. A failed charge changes no balance.
 *
 * Idempotent per order id: once `charges` holds the order (charged or failed), it emits nothing.
 */
export function chargeCustomer(
  event: StockReserved,
  state: ChargeCustomerState,
): [CustomerCharged | ChargeFailed] | [] {
  const { order_id, customer_id, total: amount } = event.data;
  if (state.charges.has(order_id)) return [];

  const customer = state.customers.get(customer_id);
  if (customer === undefined) {
    return [
      { type: 'charge-failed', data: { order_id, customer_id, amount, balance: null, reason: 'unknown-customer' } },
    ];
  }
  if (toCents(customer.balance) < toCents(amount)) {
    return [
      {
        type: 'charge-failed',
        data: { order_id, customer_id, amount, balance: customer.balance, reason: 'insufficient-fund' },
      },
    ];
  }
  const balance = subtractMoney(customer.balance, amount);
  return [{ type: 'customer-charged', data: { order_id, customer_id, amount, balance } }];
}
