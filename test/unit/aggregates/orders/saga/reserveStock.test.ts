import { describe, expect, it } from 'vitest';
import {
  customerCreated,
  demoEvents,
  inventoryCreated,
  orderCreated,
  productCreated,
  sagaSpec,
  stockByProduct,
} from '../support.js';

const reserve = () => sagaSpec('reserve-stock');
const demoStock = { '201': 4, '202': 7, '203': 4, '204': 3, '205': 8 };

describe('saga step 1: reserve-stock (on order-created)', () => {
  it('reserves every unit, counting repeated ids, and prices them', () => {
    reserve()
      .given(demoEvents)
      .when(orderCreated('o-1', '101', ['201', '204', '201']))
      .then([
        {
          type: 'stock-reserved',
          data: {
            order_id: 'o-1',
            customer_id: '101',
            items: [
              { inventory_id: '201', product_id: '201', quantity: 2 },
              { inventory_id: '204', product_id: '204', quantity: 1 },
            ],
            total: 1700,
          },
        },
      ])
      .thenState((s) => {
        expect(stockByProduct(s)).toEqual({ ...demoStock, '201': 2, '204': 2 });
        expect(s.reservations.get('o-1')?.status).toBe('reserved');
      });
  });

  it('takes exactly the last units', () => {
    reserve()
      .given(demoEvents)
      .when(orderCreated('o-1', '101', ['204', '204', '204']))
      .thenMatch([{ type: 'stock-reserved', data: { items: [{ product_id: '204', quantity: 3 }], total: 300 } }])
      .thenState((s) => expect(stockByProduct(s)['204']).toBe(0));
  });

  it('draws from several inventory rows of the same product, in creation order', () => {
    reserve()
      .given([...demoEvents, inventoryCreated('201-b', '201', 5)])
      .when(
        orderCreated(
          'o-1',
          '101',
          Array.from({ length: 6 }, () => '201'),
        ),
      )
      .thenMatch([
        {
          type: 'stock-reserved',
          data: {
            items: [
              { inventory_id: '201', quantity: 4 },
              { inventory_id: '201-b', quantity: 2 },
            ],
          },
        },
      ])
      .thenState((s) => {
        expect(s.inventory.get('201')?.amount).toBe(0);
        expect(s.inventory.get('201-b')?.amount).toBe(3);
      });
  });

  it('fails as a whole when one product is short, taking nothing', () => {
    reserve()
      .given(demoEvents)
      .when(orderCreated('o-1', '101', ['202', '201', '201', '201', '201', '201']))
      .then([
        {
          type: 'stock-reservation-failed',
          data: { order_id: 'o-1', customer_id: '101', missing: [{ product_id: '201', requested: 5, available: 4 }] },
        },
      ])
      .thenState((s) => {
        expect(stockByProduct(s)).toEqual(demoStock);
        expect(s.reservations.get('o-1')?.status).toBe('failed');
      });
  });

  it('counts unknown product ids as out of stock, and lists every product that is short', () => {
    reserve()
      .given(demoEvents)
      .when(orderCreated('o-1', '101', ['999', '204', '204', '204', '204', '201']))
      .then([
        {
          type: 'stock-reservation-failed',
          data: {
            order_id: 'o-1',
            customer_id: '101',
            missing: [
              { product_id: '999', requested: 1, available: 0 },
              { product_id: '204', requested: 4, available: 3 },
            ],
          },
        },
      ])
      .thenState((s) => expect(stockByProduct(s)).toEqual(demoStock));
  });

  it('counts a product with no inventory row as out of stock', () => {
    reserve()
      .given([customerCreated('101', 'Anthony', 1000), productCreated('p', 'No stock', 5)])
      .when(orderCreated('o-1', '101', ['p']))
      .thenMatch([{ type: 'stock-reservation-failed', data: { missing: [{ product_id: 'p', available: 0 }] } }]);
  });

  it('prices decimals exactly (0.1 + 0.2 = 0.3)', () => {
    reserve()
      .given([
        productCreated('a', 'A', 0.1),
        productCreated('b', 'B', 0.2),
        inventoryCreated('ia', 'a', 1),
        inventoryCreated('ib', 'b', 1),
      ])
      .when(orderCreated('o-1', '101', ['a', 'b']))
      .thenMatch([{ type: 'stock-reserved', data: { total: 0.3 } }]);
  });

  it('sees units reserved by an earlier order: the second order for the last unit is out of stock', () => {
    const first = orderCreated('o-1', '101', ['204', '204', '204']);
    reserve()
      .given([
        ...demoEvents,
        first,
        {
          type: 'stock-reserved',
          data: {
            order_id: 'o-1',
            customer_id: '101',
            items: [{ inventory_id: '204', product_id: '204', quantity: 3 }],
            total: 300,
          },
        },
      ])
      .when(orderCreated('o-2', '102', ['204']))
      .thenMatch([
        { type: 'stock-reservation-failed', data: { missing: [{ product_id: '204', requested: 1, available: 0 }] } },
      ]);
  });

  describe('is idempotent per order id', () => {
    const order = orderCreated('o-1', '101', ['201']);
    const reserved = {
      type: 'stock-reserved',
      data: {
        order_id: 'o-1',
        customer_id: '101',
        items: [{ inventory_id: '201', product_id: '201', quantity: 1 }],
        total: 800,
      },
    } as const;

    it('a redelivered order-created after a reservation reserves nothing more', () => {
      reserve()
        .given([...demoEvents, order, reserved])
        .when(order)
        .thenNothing()
        .thenState((s) => expect(stockByProduct(s)['201']).toBe(3));
    });

    it('after a failed reservation or a released one, nothing is tried again', () => {
      reserve()
        .given([
          ...demoEvents,
          order,
          {
            type: 'stock-reservation-failed',
            data: { order_id: 'o-1', customer_id: '101', missing: [{ product_id: '201', requested: 1, available: 0 }] },
          },
        ])
        .when(order)
        .thenNothing();
      reserve()
        .given([
          ...demoEvents,
          order,
          reserved,
          { type: 'stock-released', data: { order_id: 'o-1', items: reserved.data.items } },
        ])
        .when(order)
        .thenNothing()
        .thenState((s) => expect(stockByProduct(s)['201']).toBe(4));
    });
  });
});
