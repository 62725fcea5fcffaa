import { describe, expect, it } from 'vitest';
import type { OrdersEvent } from '../../../../../aggregates/orders/index.js';
import { demoEvents, orderCreated, sagaSpec, stockByProduct } from '../support.js';

const release = () => sagaSpec('release-stock');
const items = [
  { inventory_id: '201', product_id: '201', quantity: 1 },
  { inventory_id: '204', product_id: '204', quantity: 2 },
];
const order = orderCreated('o-1', '101', ['201', '204', '204']);
const reserved: OrdersEvent = {
  type: 'stock-reserved',
  data: { order_id: 'o-1', customer_id: '101', items, total: 1000 },
};
const chargeFailed = {
  type: 'charge-failed',
  data: { order_id: 'o-1', customer_id: '101', amount: 1000, balance: 100, reason: 'insufficient-fund' },
} as const satisfies OrdersEvent;

describe('saga compensation: release-stock (on charge-failed)', () => {
  it('gives back every reserved unit to the row it came from', () => {
    release()
      .given([...demoEvents, order, reserved])
      .when(chargeFailed)
      .then([{ type: 'stock-released', data: { order_id: 'o-1', items } }])
      .thenState((s) => {
        expect(stockByProduct(s)).toEqual({ '201': 4, '202': 7, '203': 4, '204': 3, '205': 8 });
        expect(s.reservations.get('o-1')?.status).toBe('released');
      });
  });

  it('is idempotent per order id: a redelivered charge-failed releases nothing more', () => {
    release()
      .given([
        ...demoEvents,
        order,
        reserved,
        chargeFailed,
        { type: 'stock-released', data: { order_id: 'o-1', items } },
      ])
      .when(chargeFailed)
      .thenNothing()
      .thenState((s) => expect(stockByProduct(s)['204']).toBe(3));
  });

  it('releases nothing when nothing was reserved (failed reservation, or no reservation at all)', () => {
    release()
      .given([
        ...demoEvents,
        order,
        {
          type: 'stock-reservation-failed',
          data: { order_id: 'o-1', customer_id: '101', missing: [{ product_id: '201', requested: 9, available: 4 }] },
        },
      ])
      .when(chargeFailed)
      .thenNothing();
    release().given(demoEvents).when(chargeFailed).thenNothing();
  });

  it('a released row that was deleted meanwhile stays deleted', () => {
    release()
      .given([...demoEvents, order, reserved, { type: 'inventory-deleted', data: { id: '204' } }])
      .when(chargeFailed)
      .thenMatch([{ type: 'stock-released' }])
      .thenState((s) => {
        expect(s.inventory.has('204')).toBe(false);
        expect(s.inventory.get('201')?.amount).toBe(4);
      });
  });
});
