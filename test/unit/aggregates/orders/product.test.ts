import { describe, expect, it } from 'vitest';
import { customerCreated, inventoryCreated, orderCreated, ordersSpec, productCreated, sagaSpec } from './support.js';

describe('product', () => {
  it('creates from an object or an array, with given or generated ids', () => {
    ordersSpec()
      .given()
      .when({
        type: 'create-products',
        items: [
          { id: 201, name: 'Denon Speakers', price: 800 },
          { name: 'Mini', price: 99.5 },
        ],
      })
      .then([
        { type: 'product-created', data: { id: '201', name: 'Denon Speakers', price: 800 } },
        { type: 'product-created', data: { id: 'id-1', name: 'Mini', price: 99.5 } },
      ]);
    ordersSpec()
      .given()
      .when({ type: 'create-products', items: { name: 'Free sample', price: 0 } })
      .then([{ type: 'product-created', data: { id: 'id-1', name: 'Free sample', price: 0 } }]);
  });

  it.each([
    ['a missing price', { name: 'P' }, 'items[0].price'],
    ['a negative price', { name: 'P', price: -0.01 }, 'items[0].price'],
    ['a price given as a string', { name: 'P', price: '5' }, 'items[0].price'],
    ['a price with three decimals', { name: 'P', price: 1.001 }, 'items[0].price'],
    ['a missing name', { price: 5 }, 'items[0].name'],
    ['a name that is a number', { name: 5, price: 5 }, 'items[0].name'],
  ])('rejects %s (ORD_ERR_VALIDATION naming the field)', (_what, item, field) => {
    ordersSpec()
      .given()
      .when({ type: 'create-products', items: item as never })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field });
  });

  it('rejects an existing id (ORD_ERR_CONFLICT)', () => {
    ordersSpec()
      .given([productCreated('201', 'Denon', 800)])
      .when({ type: 'create-products', items: { id: '201', name: 'Other', price: 1 } })
      .thenFails({ code: 'ORD_ERR_CONFLICT', field: 'items[0].id' });
  });

  it('updates only what changes; rejects a negative price and an unknown id', () => {
    const given = [productCreated('201', 'Denon', 800)];
    ordersSpec()
      .given(given)
      .when({ type: 'update-product', id: '201', changes: { name: 'Denon', price: 750 } })
      .then([{ type: 'product-updated', data: { id: '201', changes: { price: 750 } } }])
      .thenState((s) => expect(s.products.get('201')).toEqual({ id: '201', name: 'Denon', price: 750 }));
    ordersSpec()
      .given(given)
      .when({ type: 'update-product', id: '201', changes: { price: -1 } })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes.price' });
    ordersSpec()
      .given(given)
      .when({ type: 'update-product', id: '202', changes: { price: 1 } })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND', field: 'id' });
  });

  it('deletes an existing product (its inventory rows stay); rejects an unknown id', () => {
    ordersSpec()
      .given([productCreated('201', 'Denon', 800), inventoryCreated('i-1', '201', 4)])
      .when({ type: 'delete-product', id: '201' })
      .then([{ type: 'product-deleted', data: { id: '201' } }])
      .thenState((s) => {
        expect(s.products.has('201')).toBe(false);
        expect(s.inventory.get('i-1')).toMatchObject({ amount: 4 });
      });
    ordersSpec().given().when({ type: 'delete-product', id: '201' }).thenFails({ code: 'ORD_ERR_NOT_FOUND' });
  });

  it('a deleted product counts as out of stock for new orders, even with inventory left', () => {
    sagaSpec()
      .given([
        customerCreated('101', 'Anthony', 1000),
        productCreated('201', 'Denon', 800),
        inventoryCreated('i-1', '201', 4),
        { type: 'product-deleted', data: { id: '201' } },
      ])
      .when(orderCreated('o-1', '101', ['201']))
      .thenMatch([{ type: 'stock-reservation-failed', data: { missing: [{ product_id: '201', available: 0 }] } }]);
  });
});
