import { describe, expect, it } from 'vitest';
import {
  ORDERS_ERROR_HTTP_STATUS,
  ORDERS_EVENT_SCHEMAS,
  ORDERS_EVENT_TYPES,
  ORDERS_EVENT_VERSION,
  OrdersError,
  decide,
  emptyOrdersState,
  isOrdersError,
  isOrdersEventType,
  ordersEventKey,
  parseOrdersCommand,
  parseOrdersEvent,
  randomIds,
  type OrdersCommand,
} from '../../../../aggregates/orders/index.js';
import { sequenceIds } from './support.js';

/** The OrdersError a parse or a decide returned (they return errors, they never throw). */
function failure(result: unknown): OrdersError {
  expect(isOrdersError(result), 'expected a returned OrdersError').toBe(true);
  return result as OrdersError;
}

describe('commands from untyped input', () => {
  it('normalises an object to an array and numeric ids to strings', () => {
    expect(parseOrdersCommand({ type: 'create-orders', items: { customer_id: 101, product_ids: [201, 204] } })).toEqual(
      {
        type: 'create-orders',
        items: [{ customer_id: '101', product_ids: ['201', '204'] }],
      },
    );
  });

  it('rejects unknown command types, non-objects and unknown fields of the wrong type, naming the field', () => {
    expect(failure(parseOrdersCommand({ type: 'launch-rocket' }))).toMatchObject({
      code: 'ORD_ERR_VALIDATION',
      field: 'type',
    });
    expect(failure(parseOrdersCommand(null))).toMatchObject({ code: 'ORD_ERR_VALIDATION', field: '' });
    expect(failure(parseOrdersCommand({ type: 'update-product', id: '1', changes: { price: -3 } }))).toMatchObject({
      code: 'ORD_ERR_VALIDATION',
      field: 'changes.price',
      message: expect.stringContaining('changes.price') as unknown,
    });
  });

  it('decide rejects an unknown command type', () => {
    expect(failure(decide({ type: 'nope' } as unknown as OrdersCommand, emptyOrdersState, randomIds))).toMatchObject({
      code: 'ORD_ERR_VALIDATION',
      field: 'type',
    });
  });

  it('collects every issue, the first one as `field`', () => {
    const err = failure(
      decide({ type: 'create-products', items: [{ name: '', price: -1 }] }, emptyOrdersState, sequenceIds()),
    );
    expect(err.issues.map((i) => i.field)).toEqual(['items[0].name', 'items[0].price']);
    expect(err.field).toBe('items[0].name');
  });

  it('generates uuids by default', () => {
    const decided = decide({ type: 'create-products', items: { name: 'P', price: 1 } }, emptyOrdersState, randomIds);
    if (isOrdersError(decided)) throw decided;
    const [event] = decided;
    expect(event).toMatchObject({
      type: 'product-created',
      data: {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) as unknown,
      },
    });
  });
});

describe('errors', () => {
  it('carry a code, a field, retriable false and map to an HTTP status', () => {
    const err = failure(decide({ type: 'delete-order', id: 'x' }, emptyOrdersState, randomIds));
    expect(err).toBeInstanceOf(OrdersError);
    expect(isOrdersError(err)).toBe(true);
    expect(err).toMatchObject({ name: 'OrdersError', code: 'ORD_ERR_NOT_FOUND', field: 'id', retriable: false });
    expect(ORDERS_ERROR_HTTP_STATUS).toEqual({
      ORD_ERR_VALIDATION: 400,
      ORD_ERR_NOT_FOUND: 404,
      ORD_ERR_CONFLICT: 409,
      ORD_ERR_UNKNOWN_REFERENCE: 422,
      ORD_ERR_STATUS_OWNED_BY_SAGA: 409,
    });
    expect(isOrdersError(new Error('x'))).toBe(false);
    expect(isOrdersError({ code: 'EVT_ERR_X' })).toBe(false);
    expect(isOrdersError(null)).toBe(false);
  });
});

describe('events on the wire', () => {
  it('registers every event type with a schema at version 1', () => {
    expect([...ORDERS_EVENT_TYPES].sort()).toEqual([
      'billing-created',
      'billing-deleted',
      'billing-updated',
      'charge-failed',
      'customer-charged',
      'customer-created',
      'customer-deleted',
      'customer-updated',
      'inventory-created',
      'inventory-deleted',
      'inventory-updated',
      'order-created',
      'order-deleted',
      'order-status-changed',
      'order-updated',
      'product-created',
      'product-deleted',
      'product-updated',
      'stock-released',
      'stock-reservation-failed',
      'stock-reserved',
    ]);
    expect(Object.keys(ORDERS_EVENT_SCHEMAS)).toHaveLength(21);
    expect(ORDERS_EVENT_VERSION).toBe(1);
    expect(isOrdersEventType('book-added')).toBe(false);
    expect(isOrdersEventType('toString')).toBe(false);
  });

  it('parses valid data, normalising ids', () => {
    expect(
      parseOrdersEvent({ type: 'customer-created', data: { id: 101, name: 'A', email: 'a@example.com', balance: 5 } }),
    ).toEqual({
      type: 'customer-created',
      data: { id: '101', name: 'A', email: 'a@example.com', balance: 5 },
    });
  });

  it('rejects bad data of a known type (a poison message) and unknown types', () => {
    expect(failure(parseOrdersEvent({ type: 'customer-created', data: { id: '1', name: 'A' } }))).toMatchObject({
      code: 'ORD_ERR_VALIDATION',
      field: 'email',
    });
    expect(
      failure(
        parseOrdersEvent({
          type: 'order-created',
          data: { id: '1', customer_id: '1', product_ids: ['1'], status: 'to-be-shipped' },
        }),
      ),
    ).toMatchObject({
      field: 'status',
    });
    expect(
      failure(
        parseOrdersEvent({ type: 'stock-reserved', data: { order_id: 'o', customer_id: 'c', items: [], total: 0 } }),
      ),
    ).toMatchObject({
      field: 'items',
    });
    expect(failure(parseOrdersEvent({ type: 'book-added', data: {} }))).toMatchObject({ field: 'type' });
  });

  it('keys CRUD events by entity id and saga events by order id', () => {
    expect(ordersEventKey({ type: 'customer-deleted', data: { id: '101' } })).toBe('101');
    expect(ordersEventKey({ type: 'stock-released', data: { order_id: 'o-1', items: [] } })).toBe('o-1');
    expect(
      ordersEventKey({ type: 'order-status-changed', data: { id: 'o-1', customer_id: '101', status: 'out-of-stock' } }),
    ).toBe('o-1');
  });
});
