import { describe, expect, it } from 'vitest';
import {
  emptyOrdersState,
  evolve,
  evolveAll,
  rebuildOrdersState,
  type OrdersEvent,
} from '../../../../aggregates/orders/index.js';
import {
  billingCreated,
  customerCreated,
  demoEvents,
  inventoryCreated,
  orderCreated,
  productCreated,
} from './support.js';

describe('state rebuilt in event order', () => {
  it.each([
    [
      'customer',
      'customers',
      customerCreated('1', 'Ann', 5),
      { type: 'customer-updated', data: { id: '1', changes: { name: 'Bo' } } },
      { type: 'customer-deleted', data: { id: '1' } },
    ],
    [
      'product',
      'products',
      productCreated('1', 'P', 5),
      { type: 'product-updated', data: { id: '1', changes: { price: 7 } } },
      { type: 'product-deleted', data: { id: '1' } },
    ],
    [
      'inventory',
      'inventory',
      inventoryCreated('1', 'p', 5),
      { type: 'inventory-updated', data: { id: '1', changes: { amount: 7 } } },
      { type: 'inventory-deleted', data: { id: '1' } },
    ],
    [
      'order',
      'orders',
      orderCreated('1', 'c', ['p']),
      { type: 'order-updated', data: { id: '1', changes: { product_ids: ['q'] } } },
      { type: 'order-deleted', data: { id: '1' } },
    ],
    [
      'billing',
      'billings',
      billingCreated('1', 'o', false),
      { type: 'billing-updated', data: { id: '1', changes: { done: true } } },
      { type: 'billing-deleted', data: { id: '1' } },
    ],
  ] as const)(
    'a %s updated then deleted stays deleted (the seed brought it back)',
    (_name, collection, created, updated, deleted) => {
      const log: OrdersEvent[] = [created, updated, deleted];
      expect(rebuildOrdersState(log)[collection].has('1')).toBe(false);
      // An update that reaches the log after the delete does not bring it back either.
      expect(rebuildOrdersState([...log, updated])[collection].has('1')).toBe(false);
      // Rebuilding twice gives the same state.
      expect(rebuildOrdersState(log)).toEqual(rebuildOrdersState(log));
      // Re-created after the delete, it exists again with the new values only.
      const recreated = rebuildOrdersState([...log, created]);
      expect(recreated[collection].get('1')).toEqual(created.data);
    },
  );

  it('evolve is pure: the given state is unchanged and untouched collections are shared', () => {
    const before = rebuildOrdersState(demoEvents);
    const snapshot = structuredClone(before);
    const after = evolve(before, { type: 'customer-updated', data: { id: '101', changes: { balance: 1 } } });
    expect(before).toEqual(snapshot);
    expect(after.customers.get('101')?.balance).toBe(1);
    expect(after.products).toBe(before.products);
    expect(after.customers).not.toBe(before.customers);
  });

  it('evolveAll equals evolving one event at a time', () => {
    const stepByStep = demoEvents.reduce(evolve, emptyOrdersState);
    expect(evolveAll(emptyOrdersState, demoEvents)).toEqual(stepByStep);
  });

  it('entities in the state are frozen', () => {
    const state = rebuildOrdersState([orderCreated('o-1', '101', ['201'])]);
    const order = state.orders.get('o-1');
    expect(Object.isFrozen(order)).toBe(true);
    expect(Object.isFrozen(order?.product_ids)).toBe(true);
  });

  it('a saga event that appears twice in the log is applied once (marker per order id)', () => {
    const reserved: OrdersEvent = {
      type: 'stock-reserved',
      data: {
        order_id: 'o-1',
        customer_id: '101',
        items: [{ inventory_id: '201', product_id: '201', quantity: 1 }],
        total: 800,
      },
    };
    const charged: OrdersEvent = {
      type: 'customer-charged',
      data: { order_id: 'o-1', customer_id: '101', amount: 800, balance: 200 },
    };
    const released: OrdersEvent = {
      type: 'stock-released',
      data: { order_id: 'o-1', items: [{ inventory_id: '201', product_id: '201', quantity: 1 }] },
    };
    const state = rebuildOrdersState([...demoEvents, reserved, reserved, charged, charged]);
    expect(state.inventory.get('201')?.amount).toBe(3);
    expect(state.customers.get('101')?.balance).toBe(200);
    const releasedTwice = rebuildOrdersState([...demoEvents, reserved, released, released]);
    expect(releasedTwice.inventory.get('201')?.amount).toBe(4);
  });

  it('a charge keeps a concurrent name change, and a later balance update wins over it', () => {
    const state = rebuildOrdersState([
      customerCreated('101', 'Anthony', 1000),
      { type: 'customer-updated', data: { id: '101', changes: { name: 'Tony' } } },
      { type: 'customer-charged', data: { order_id: 'o-1', customer_id: '101', amount: 900, balance: 100 } },
    ]);
    expect(state.customers.get('101')).toMatchObject({ name: 'Tony', balance: 100 });
    const reset = evolve(state, { type: 'customer-updated', data: { id: '101', changes: { balance: 1000 } } });
    expect(reset.customers.get('101')?.balance).toBe(1000);
  });

  it('ignores event types of other domains', () => {
    const before = rebuildOrdersState(demoEvents);
    const after = evolve(before, { type: 'book-added', data: { id: 'b' } } as unknown as OrdersEvent);
    expect(after).toEqual(before);
  });
});
