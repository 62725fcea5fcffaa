import { describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNTS,
  DEMO_ITEMS,
  decide,
  decideDemoData,
  demoDataCommands,
  emptyOrdersState,
  evolveAll,
  rebuildOrdersState,
} from '../../../../aggregates/orders/index.js';
import { decided, demoEvents, ordersSpec, sequenceIds, stockByProduct } from './support.js';

describe('demo data (/init-data)', () => {
  it('holds the seed`s accounts and items', () => {
    expect(DEMO_ACCOUNTS.map(({ id, name, balance }) => [id, name, balance])).toEqual([
      ['101', 'Anthony', 1000],
      ['102', 'Becky', 100],
      ['103', 'Carol', 1000],
    ]);
    expect(DEMO_ITEMS.map(({ id, name, price, amount }) => [id, name, price, amount])).toEqual([
      ['201', 'Denon Speakers', 800, 4],
      ['202', 'Sonos Speakers', 600, 7],
      ['203', 'AudioPro Speakers', 400, 4],
      ['204', 'Google Home Mini', 100, 3],
      ['205', 'Xiaomi Soundbar', 300, 8],
    ]);
  });

  it('on an empty shop: creates 3 customers, 5 products and 5 inventory rows', () => {
    expect(decideDemoData(emptyOrdersState)).toEqual(demoEvents);
  });

  it('loading twice emits nothing the second time', () => {
    const loaded = evolveAll(emptyOrdersState, decideDemoData(emptyOrdersState));
    expect(decideDemoData(loaded)).toEqual([]);
  });

  it('resets changed demo values and recreates deleted demo entities, leaving other entities alone', () => {
    const changed = rebuildOrdersState([
      ...demoEvents,
      { type: 'customer-updated', data: { id: '101', changes: { balance: 100 } } },
      { type: 'inventory-updated', data: { id: '204', changes: { amount: 0 } } },
      { type: 'product-deleted', data: { id: '205' } },
      { type: 'customer-created', data: { id: '500', name: 'Eve', email: 'eve@example.com', balance: 1 } },
    ]);
    expect(decideDemoData(changed)).toEqual([
      { type: 'customer-updated', data: { id: '101', changes: { balance: 1000 } } },
      { type: 'product-created', data: { id: '205', name: 'Xiaomi Soundbar', price: 300 } },
      { type: 'inventory-updated', data: { id: '204', changes: { amount: 3 } } },
    ]);
    const reset = evolveAll(changed, decideDemoData(changed));
    expect(reset.customers.get('101')?.balance).toBe(1000);
    expect(stockByProduct(reset)).toEqual({ '201': 4, '202': 7, '203': 4, '204': 3, '205': 8 });
    expect(reset.customers.has('500')).toBe(true);
  });

  it('as commands, decided on an empty shop, gives the same state; on a loaded shop they conflict', () => {
    let state = emptyOrdersState;
    for (const command of demoDataCommands()) state = evolveAll(state, decided(decide(command, state, sequenceIds())));
    expect(state).toEqual(rebuildOrdersState(demoEvents));
    const [first] = demoDataCommands();
    if (first === undefined) throw new Error('no demo commands');
    ordersSpec().given(demoEvents).when(first).thenFails({ code: 'ORD_ERR_CONFLICT', field: 'items[0].id' });
  });
});
