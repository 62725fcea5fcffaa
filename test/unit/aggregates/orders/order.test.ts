import { describe, expect, it } from 'vitest';
import { MAX_PRODUCTS_PER_ORDER } from '../../../../aggregates/orders/index.js';
import { customerCreated, orderCreated, ordersSpec } from './support.js';

const customers = [customerCreated('101', 'Anthony', 1000), customerCreated('102', 'Becky', 100)];

describe('order: create', () => {
  it('places an order as pending, repeated and unknown product ids kept as given', () => {
    ordersSpec()
      .given(customers)
      .when({ type: 'create-orders', items: { customer_id: 101, product_ids: [201, '201', 'never-heard-of'] } })
      .then([
        {
          type: 'order-created',
          data: { id: 'id-1', customer_id: '101', product_ids: ['201', '201', 'never-heard-of'], status: 'pending' },
        },
      ])
      .thenState((s) => expect(s.orders.get('id-1')?.status).toBe('pending'));
  });

  it('places many orders at once and accepts an explicit pending status', () => {
    ordersSpec()
      .given(customers)
      .when({
        type: 'create-orders',
        items: [
          { id: 'o-1', customer_id: '101', product_ids: ['201'], status: 'pending' },
          { id: 'o-2', customer_id: '102', product_ids: ['204'] },
        ],
      })
      .then([orderCreated('o-1', '101', ['201']), orderCreated('o-2', '102', ['204'])]);
  });

  it('rejects an order for a customer that does not exist (ORD_ERR_UNKNOWN_REFERENCE)', () => {
    ordersSpec()
      .given(customers)
      .when({
        type: 'create-orders',
        items: [
          { customer_id: '101', product_ids: ['1'] },
          { customer_id: '9', product_ids: ['1'] },
        ],
      })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'items[1].customer_id' });
    ordersSpec()
      .given([...customers, { type: 'customer-deleted', data: { id: '102' } }])
      .when({ type: 'create-orders', items: { customer_id: '102', product_ids: ['1'] } })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'items[0].customer_id' });
  });

  it.each([
    ['no product ids', { customer_id: '101', product_ids: [] }, 'items[0].product_ids'],
    ['missing product ids', { customer_id: '101' }, 'items[0].product_ids'],
    ['product ids that are not a list', { customer_id: '101', product_ids: '201' }, 'items[0].product_ids'],
    ['a product id that is an object', { customer_id: '101', product_ids: [{}] }, 'items[0].product_ids[0]'],
    [
      `more than ${MAX_PRODUCTS_PER_ORDER} product ids`,
      { customer_id: '101', product_ids: Array.from({ length: MAX_PRODUCTS_PER_ORDER + 1 }, () => '201') },
      'items[0].product_ids',
    ],
    ['a missing customer_id', { product_ids: ['201'] }, 'items[0].customer_id'],
    [
      'a status other than pending',
      { customer_id: '101', product_ids: ['201'], status: 'to-be-shipped' },
      'items[0].status',
    ],
  ])('rejects %s (ORD_ERR_VALIDATION)', (_what, item, field) => {
    ordersSpec()
      .given(customers)
      .when({ type: 'create-orders', items: item as never })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field });
  });

  it('accepts exactly the maximum number of product ids', () => {
    const productIds = Array.from({ length: MAX_PRODUCTS_PER_ORDER }, () => '201');
    ordersSpec()
      .given(customers)
      .when({ type: 'create-orders', items: { id: 'o-1', customer_id: '101', product_ids: productIds } })
      .then([orderCreated('o-1', '101', productIds)]);
  });

  it('rejects an existing order id (ORD_ERR_CONFLICT)', () => {
    ordersSpec()
      .given([...customers, orderCreated('o-1', '101', ['201'])])
      .when({ type: 'create-orders', items: { id: 'o-1', customer_id: '101', product_ids: ['201'] } })
      .thenFails({ code: 'ORD_ERR_CONFLICT', field: 'items[0].id' });
  });
});

describe('order: update', () => {
  const given = [...customers, orderCreated('o-1', '101', ['201', '204'])];

  it('changes product ids and customer; the status stays', () => {
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-1', changes: { product_ids: ['202'], customer_id: '102' } })
      .then([{ type: 'order-updated', data: { id: 'o-1', changes: { customer_id: '102', product_ids: ['202'] } } }])
      .thenState((s) =>
        expect(s.orders.get('o-1')).toEqual({ id: 'o-1', customer_id: '102', product_ids: ['202'], status: 'pending' }),
      );
  });

  it('accepts the order sent back as read (same status), emitting only real changes', () => {
    ordersSpec()
      .given(given)
      .when({
        type: 'update-order',
        id: 'o-1',
        changes: { customer_id: '101', product_ids: ['201', '204', '205'], status: 'pending' },
      })
      .then([{ type: 'order-updated', data: { id: 'o-1', changes: { product_ids: ['201', '204', '205'] } } }]);
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-1', changes: { product_ids: ['201', '204'], status: 'pending' } })
      .thenNothing();
  });

  it('rejects a status change: only the saga moves the status', () => {
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-1', changes: { status: 'to-be-shipped' } })
      .thenFails({ code: 'ORD_ERR_STATUS_OWNED_BY_SAGA', field: 'changes.status' });
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-1', changes: { status: 'shipped' } } as never)
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes.status' });
  });

  it('rejects an unknown customer, empty product ids and an unknown order', () => {
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-1', changes: { customer_id: '999' } })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'changes.customer_id' });
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-1', changes: { product_ids: [] } })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes.product_ids' });
    ordersSpec()
      .given(given)
      .when({ type: 'update-order', id: 'o-2', changes: { product_ids: ['1'] } })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND', field: 'id' });
  });
});

describe('order: delete', () => {
  it('deletes an existing order; rejects an unknown or already deleted one', () => {
    const given = [...customers, orderCreated('o-1', '101', ['201'])];
    ordersSpec()
      .given(given)
      .when({ type: 'delete-order', id: 'o-1' })
      .then([{ type: 'order-deleted', data: { id: 'o-1' } }])
      .thenState((s) => expect(s.orders.has('o-1')).toBe(false));
    ordersSpec()
      .given([...given, { type: 'order-deleted', data: { id: 'o-1' } }])
      .when({ type: 'delete-order', id: 'o-1' })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND' });
  });
});
