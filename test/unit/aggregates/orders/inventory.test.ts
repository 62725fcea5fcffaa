import { describe, expect, it } from 'vitest';
import { MAX_STOCK_AMOUNT } from '../../../../aggregates/orders/index.js';
import { inventoryCreated, ordersSpec, productCreated } from './support.js';

const products = [productCreated('201', 'Denon', 800), productCreated('202', 'Sonos', 600)];

describe('inventory', () => {
  it('creates rows for existing products, from an object or an array', () => {
    ordersSpec()
      .given(products)
      .when({
        type: 'create-inventory',
        items: [
          { id: 201, product_id: 201, amount: 4 },
          { product_id: '202', amount: 0 },
        ],
      })
      .then([
        { type: 'inventory-created', data: { id: '201', product_id: '201', amount: 4 } },
        { type: 'inventory-created', data: { id: 'id-1', product_id: '202', amount: 0 } },
      ]);
  });

  it('rejects a row for a product that does not exist (ORD_ERR_UNKNOWN_REFERENCE naming the field)', () => {
    ordersSpec()
      .given(products)
      .when({
        type: 'create-inventory',
        items: [
          { product_id: '201', amount: 1 },
          { product_id: '999', amount: 1 },
        ],
      })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'items[1].product_id' });
  });

  it.each([
    ['a negative amount', { product_id: '201', amount: -1 }, 'items[0].amount'],
    ['a fractional amount', { product_id: '201', amount: 1.5 }, 'items[0].amount'],
    ['an amount given as a string', { product_id: '201', amount: '4' }, 'items[0].amount'],
    ['an absurd amount', { product_id: '201', amount: MAX_STOCK_AMOUNT + 1 }, 'items[0].amount'],
    ['a missing amount', { product_id: '201' }, 'items[0].amount'],
    ['a missing product_id', { amount: 4 }, 'items[0].product_id'],
  ])('rejects %s (ORD_ERR_VALIDATION)', (_what, item, field) => {
    ordersSpec()
      .given(products)
      .when({ type: 'create-inventory', items: item as never })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field });
  });

  it('rejects an existing id (ORD_ERR_CONFLICT)', () => {
    ordersSpec()
      .given([...products, inventoryCreated('i-1', '201', 4)])
      .when({ type: 'create-inventory', items: { id: 'i-1', product_id: '202', amount: 1 } })
      .thenFails({ code: 'ORD_ERR_CONFLICT', field: 'items[0].id' });
  });

  it('updates the amount or moves the row to another existing product', () => {
    const given = [...products, inventoryCreated('i-1', '201', 4)];
    ordersSpec()
      .given(given)
      .when({ type: 'update-inventory', id: 'i-1', changes: { amount: 10 } })
      .then([{ type: 'inventory-updated', data: { id: 'i-1', changes: { amount: 10 } } }])
      .thenState((s) => expect(s.inventory.get('i-1')).toEqual({ id: 'i-1', product_id: '201', amount: 10 }));
    ordersSpec()
      .given(given)
      .when({ type: 'update-inventory', id: 'i-1', changes: { product_id: '202' } })
      .then([{ type: 'inventory-updated', data: { id: 'i-1', changes: { product_id: '202' } } }]);
  });

  it('rejects an update to an unknown product, a negative amount, an unknown row', () => {
    const given = [...products, inventoryCreated('i-1', '201', 4)];
    ordersSpec()
      .given(given)
      .when({ type: 'update-inventory', id: 'i-1', changes: { product_id: '999' } })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'changes.product_id' });
    ordersSpec()
      .given(given)
      .when({ type: 'update-inventory', id: 'i-1', changes: { amount: -3 } })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes.amount' });
    ordersSpec()
      .given(given)
      .when({ type: 'update-inventory', id: 'i-2', changes: { amount: 3 } })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND', field: 'id' });
  });

  it('emits nothing for an update that changes nothing', () => {
    ordersSpec()
      .given([...products, inventoryCreated('i-1', '201', 4)])
      .when({ type: 'update-inventory', id: 'i-1', changes: { product_id: 201, amount: 4 } })
      .thenNothing();
  });

  it('deletes an existing row; rejects an unknown one', () => {
    ordersSpec()
      .given([...products, inventoryCreated('i-1', '201', 4)])
      .when({ type: 'delete-inventory', id: 'i-1' })
      .then([{ type: 'inventory-deleted', data: { id: 'i-1' } }])
      .thenState((s) => expect(s.inventory.size).toBe(0));
    ordersSpec().given(products).when({ type: 'delete-inventory', id: 'i-1' }).thenFails({ code: 'ORD_ERR_NOT_FOUND' });
  });
});
