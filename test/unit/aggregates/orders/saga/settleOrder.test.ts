import { describe, expect, it } from 'vitest';
import type { OrdersEvent } from '../../../../../aggregates/orders/index.js';
import { customerCreated, orderCreated, sagaSpec } from '../support.js';

const settle = () => sagaSpec('settle-order');
const given = [customerCreated('101', 'Anthony', 1000), orderCreated('o-1', '101', ['201'])];
const outcomes = {
  outOfStock: {
    type: 'stock-reservation-failed',
    data: { order_id: 'o-1', customer_id: '101', missing: [{ product_id: '201', requested: 1, available: 0 }] },
  },
  charged: { type: 'customer-charged', data: { order_id: 'o-1', customer_id: '101', amount: 800, balance: 200 } },
  chargeFailed: {
    type: 'charge-failed',
    data: { order_id: 'o-1', customer_id: '101', amount: 800, balance: 100, reason: 'insufficient-fund' },
  },
  released: {
    type: 'stock-released',
    data: { order_id: 'o-1', items: [{ inventory_id: 'i-201', product_id: '201', quantity: 1 }] },
  },
} as const satisfies Record<string, OrdersEvent>;
const statusChanged = (status: 'out-of-stock' | 'insufficient-fund' | 'to-be-shipped'): OrdersEvent => ({
  type: 'order-status-changed',
  data: { id: 'o-1', customer_id: '101', status },
});

describe('saga end: settle-order', () => {
  it.each([
    ['stock-reservation-failed', outcomes.outOfStock, 'out-of-stock'],
    ['stock-released', outcomes.released, 'insufficient-fund'],
    ['customer-charged', outcomes.charged, 'to-be-shipped'],
  ] as const)('%s ends a pending order %s', (_type, outcome, status) => {
    settle()
      .given(given)
      .when(outcome)
      .then([statusChanged(status)])
      .thenState((s) => expect(s.orders.get('o-1')?.status).toBe(status));
  });

  it('a failed charge alone settles nothing: the order waits for its stock to be released', () => {
    settle().given(given).when(outcomes.chargeFailed).thenNothing();
  });

  it('is idempotent: a redelivered outcome after the order settled emits nothing', () => {
    settle()
      .given([...given, outcomes.charged, statusChanged('to-be-shipped')])
      .when(outcomes.charged)
      .thenNothing();
  });

  it('gives an order exactly one final status: a conflicting late outcome changes nothing', () => {
    settle()
      .given([...given, statusChanged('to-be-shipped')])
      .when(outcomes.chargeFailed)
      .thenNothing()
      .thenState((s) => expect(s.orders.get('o-1')?.status).toBe('to-be-shipped'));
  });

  it('emits nothing for an order deleted mid-saga', () => {
    settle()
      .given([...given, { type: 'order-deleted', data: { id: 'o-1' } }])
      .when(outcomes.charged)
      .thenNothing()
      .thenState((s) => expect(s.orders.has('o-1')).toBe(false));
  });
});
