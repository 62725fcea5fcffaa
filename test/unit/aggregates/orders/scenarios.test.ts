import { describe, expect, it } from 'vitest';
import {
  decide,
  decideDemoData,
  emptyOrdersState,
  runSagaLocally,
  unbilledOrders,
  type OrdersCommand,
  type OrdersState,
} from '../../../../aggregates/orders/index.js';
import { decided, sequenceIds, stockByProduct } from './support.js';

/** What a shop does per request: decide, then append and run the saga to its end (embedded mode). */
function send(state: OrdersState, command: OrdersCommand, ids = sequenceIds('gen')) {
  return runSagaLocally(state, decided(decide(command, state, ids)));
}

function placeOrder(state: OrdersState, id: string, productIds: string[]) {
  return send(state, { type: 'create-orders', items: { id, customer_id: '101', product_ids: productIds } });
}

describe('shop demo scenarios (seed 003)', () => {
  const loaded = runSagaLocally(emptyOrdersState, decideDemoData(emptyOrdersState)).state;
  const initialStock = { '201': 4, '202': 7, '203': 4, '204': 3, '205': 8 };

  it('[201, 204] for customer 101 ends to-be-shipped: balance 1000 - 900 = 100, stock 201:3, 204:2', () => {
    const run = placeOrder(loaded, 'o-1', ['201', '204']);
    expect(run.events.map((e) => e.type)).toEqual([
      'order-created',
      'stock-reserved',
      'customer-charged',
      'order-status-changed',
    ]);
    expect(run.state.orders.get('o-1')?.status).toBe('to-be-shipped');
    expect(run.state.customers.get('101')?.balance).toBe(100);
    expect(stockByProduct(run.state)).toEqual({ ...initialStock, '201': 3, '204': 2 });
  });

  it('then [201, 204, 205] ends insufficient-fund with the stock restored and the balance untouched', () => {
    const afterFirst = placeOrder(loaded, 'o-1', ['201', '204']).state;
    const run = placeOrder(afterFirst, 'o-2', ['201', '204', '205']);
    expect(run.events.map((e) => e.type)).toEqual([
      'order-created',
      'stock-reserved',
      'charge-failed',
      'stock-released',
      'order-status-changed',
    ]);
    expect(run.state.orders.get('o-2')?.status).toBe('insufficient-fund');
    expect(run.state.customers.get('101')?.balance).toBe(100);
    expect(stockByProduct(run.state)).toEqual(stockByProduct(afterFirst));
    expect(run.state.orders.get('o-1')?.status).toBe('to-be-shipped');
  });

  it('[201 x6] ends out-of-stock with nothing changed', () => {
    const afterFirst = placeOrder(loaded, 'o-1', ['201', '204']).state;
    const run = placeOrder(
      afterFirst,
      'o-3',
      Array.from({ length: 6 }, () => '201'),
    );
    expect(run.events.map((e) => e.type)).toEqual([
      'order-created',
      'stock-reservation-failed',
      'order-status-changed',
    ]);
    expect(run.state.orders.get('o-3')?.status).toBe('out-of-stock');
    expect(run.state.customers).toEqual(afterFirst.customers);
    expect(run.state.inventory).toEqual(afterFirst.inventory);
  });
});

describe('OrderShop client scenario (seed 001), as pure state', () => {
  it('10 customers, 10 products, inventory 100 each, 10 orders; update one, delete one order and one customer, bill one: 8 unbilled', () => {
    const ids = sequenceIds('uuid');
    let state = emptyOrdersState;
    const apply = (command: OrdersCommand) => {
      const run = runSagaLocally(state, decided(decide(command, state, ids)));
      state = run.state;
      return run.events;
    };

    const customerIds = apply({
      type: 'create-customers',
      items: Array.from({ length: 10 }, (_, i) => ({
        name: `Customer ${i}`,
        email: `c${i}@example.com`,
        balance: 10_000,
      })),
    }).map((e) => (e.type === 'customer-created' ? e.data.id : ''));
    const productIds = apply({
      type: 'create-products',
      items: Array.from({ length: 10 }, (_, i) => ({ name: `Product ${i}`, price: 10 + i })),
    }).map((e) => (e.type === 'product-created' ? e.data.id : ''));
    apply({ type: 'create-inventory', items: productIds.map((product_id) => ({ product_id, amount: 100 })) });
    const orderIds = apply({
      type: 'create-orders',
      items: customerIds.map((customer_id, i) => ({
        customer_id,
        product_ids: [productIds[i] as string, productIds[(i + 1) % 10] as string],
      })),
    })
      .filter((e) => e.type === 'order-created')
      .map((e) => e.data.id);

    expect(new Set([...customerIds, ...productIds, ...orderIds]).size).toBe(30);
    expect(state.orders.size).toBe(10);
    expect([...state.orders.values()].every((o) => o.status === 'to-be-shipped')).toBe(true);
    expect([...state.inventory.values()].every((row) => row.amount === 98)).toBe(true);

    apply({ type: 'update-order', id: orderIds[1] as string, changes: { product_ids: [productIds[5] as string] } });
    expect(state.orders.get(orderIds[1] as string)?.product_ids).toEqual([productIds[5]]);
    apply({ type: 'delete-order', id: orderIds[2] as string });
    apply({ type: 'delete-customer', id: customerIds[3] as string });
    apply({ type: 'create-billings', items: { order_id: orderIds[0] as string, done: true } });

    expect(state.orders.size).toBe(9);
    expect(state.customers.size).toBe(9);
    expect(unbilledOrders(state)).toHaveLength(8);
    expect(unbilledOrders(state).map((o) => o.id)).not.toContain(orderIds[0]);
  });
});
