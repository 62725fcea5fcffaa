import { describe, expect, it } from 'vitest';
import { rebuildOrdersState, unbilledOrders } from '../../../../aggregates/orders/index.js';
import { billingCreated, customerCreated, orderCreated, ordersSpec } from './support.js';

const given = [
  customerCreated('101', 'Anthony', 1000),
  orderCreated('o-1', '101', ['201']),
  orderCreated('o-2', '101', ['204']),
];

describe('billing', () => {
  it('creates billings for existing orders, from an object or an array', () => {
    ordersSpec()
      .given(given)
      .when({
        type: 'create-billings',
        items: [
          { order_id: 'o-1', done: true },
          { id: 'b-9', order_id: 'o-2', done: false },
        ],
      })
      .then([billingCreated('id-1', 'o-1', true), billingCreated('b-9', 'o-2', false)]);
  });

  it("defaults a missing done to true: the seed's billing is the record of a payment", () => {
    ordersSpec()
      .given(given)
      .when({ type: 'create-billings', items: { id: 'b-1', order_id: 'o-1' } })
      .then([billingCreated('b-1', 'o-1', true)]);
  });

  it('rejects a billing for an order that does not exist (ORD_ERR_UNKNOWN_REFERENCE)', () => {
    ordersSpec()
      .given(given)
      .when({ type: 'create-billings', items: { order_id: 'o-3', done: true } })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'items[0].order_id' });
  });

  it.each([
    ['done given as a string', { order_id: 'o-1', done: 'yes' }, 'items[0].done'],
    ['a missing order_id', { done: true }, 'items[0].order_id'],
  ])('rejects %s (ORD_ERR_VALIDATION)', (_what, item, field) => {
    ordersSpec()
      .given(given)
      .when({ type: 'create-billings', items: item as never })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field });
  });

  it('updates done and the order; rejects an unknown order, an unknown billing', () => {
    const withBilling = [...given, billingCreated('b-1', 'o-1', false)];
    ordersSpec()
      .given(withBilling)
      .when({ type: 'update-billing', id: 'b-1', changes: { done: true } })
      .then([{ type: 'billing-updated', data: { id: 'b-1', changes: { done: true } } }]);
    ordersSpec()
      .given(withBilling)
      .when({ type: 'update-billing', id: 'b-1', changes: { order_id: 'o-2' } })
      .then([{ type: 'billing-updated', data: { id: 'b-1', changes: { order_id: 'o-2' } } }]);
    ordersSpec()
      .given(withBilling)
      .when({ type: 'update-billing', id: 'b-1', changes: { order_id: 'o-3' } })
      .thenFails({ code: 'ORD_ERR_UNKNOWN_REFERENCE', field: 'changes.order_id' });
    ordersSpec()
      .given(withBilling)
      .when({ type: 'update-billing', id: 'b-2', changes: { done: true } })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND' });
  });

  it('deletes an existing billing; rejects an unknown one', () => {
    ordersSpec()
      .given([...given, billingCreated('b-1', 'o-1', true)])
      .when({ type: 'delete-billing', id: 'b-1' })
      .then([{ type: 'billing-deleted', data: { id: 'b-1' } }]);
    ordersSpec().given(given).when({ type: 'delete-billing', id: 'b-1' }).thenFails({ code: 'ORD_ERR_NOT_FOUND' });
  });
});

describe('unbilled orders', () => {
  const ids = (state: ReturnType<typeof rebuildOrdersState>) => unbilledOrders(state).map((order) => order.id);

  it('are the orders without a done billing, in creation order', () => {
    expect(ids(rebuildOrdersState(given))).toEqual(['o-1', 'o-2']);
    expect(ids(rebuildOrdersState([...given, billingCreated('b-1', 'o-2', true)]))).toEqual(['o-1']);
  });

  it('still include an order whose only billing is not done (a payment request)', () => {
    expect(ids(rebuildOrdersState([...given, billingCreated('b-1', 'o-1', false)]))).toEqual(['o-1', 'o-2']);
  });

  it('follow billing updates and deletes, and leave out deleted orders', () => {
    const billed = [...given, billingCreated('b-1', 'o-1', false)];
    expect(
      ids(rebuildOrdersState([...billed, { type: 'billing-updated', data: { id: 'b-1', changes: { done: true } } }])),
    ).toEqual(['o-2']);
    expect(
      ids(
        rebuildOrdersState([
          ...given,
          billingCreated('b-1', 'o-1', true),
          { type: 'billing-deleted', data: { id: 'b-1' } },
        ]),
      ),
    ).toEqual(['o-1', 'o-2']);
    expect(ids(rebuildOrdersState([...given, { type: 'order-deleted', data: { id: 'o-2' } }]))).toEqual(['o-1']);
  });
});
