import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_KINDS,
  notificationsFor,
  rebuildOrdersState,
  type OrdersEvent,
  type RecordedOrdersEvent,
} from '../../../../aggregates/orders/index.js';
import { billingCreated, demoEvents, orderCreated } from './support.js';

const recorded = (id: string, event: OrdersEvent): RecordedOrdersEvent => ({ ...event, id });
const withOrder = rebuildOrdersState([...demoEvents, orderCreated('o-1', '101', ['201', '204'])]);

describe('notifications: event -> message', () => {
  it('welcome on customer-created, to the new email', () => {
    const event = recorded('e-1', {
      type: 'customer-created',
      data: { id: '104', name: 'Dan', email: 'dan@example.com', balance: 5 },
    });
    expect(notificationsFor(event, withOrder)).toEqual([
      {
        id: 'e-1:welcome',
        kind: 'welcome',
        to: 'dan@example.com',
        subject: 'Welcome, Dan!',
        body: expect.stringContaining('104') as unknown,
        causedBy: 'e-1',
      },
    ]);
  });

  it('good-bye on customer-deleted, to the email the customer had (state before the delete)', () => {
    const [n] = notificationsFor(recorded('e-2', { type: 'customer-deleted', data: { id: '102' } }), withOrder);
    expect(n).toMatchObject({ kind: 'good-bye', to: 'becky@example.com', causedBy: 'e-2', subject: 'Good-bye, Becky' });
  });

  it('falls back to the customer id when the customer is unknown', () => {
    const [n] = notificationsFor(recorded('e-3', { type: 'customer-deleted', data: { id: '999' } }), withOrder);
    expect(n).toMatchObject({ kind: 'good-bye', to: '999' });
  });

  it('thank-you on order-created, to the ordering customer', () => {
    const [n] = notificationsFor(recorded('e-4', orderCreated('o-2', '103', ['201', '202'])), withOrder);
    expect(n).toMatchObject({ id: 'e-4:thank-you', kind: 'thank-you', to: 'carol@example.com' });
    expect(n?.body).toContain('2 items');
  });

  it('transfer request on a billing not done, with the order amount; receipt on a done billing', () => {
    const [request] = notificationsFor(recorded('e-5', billingCreated('b-1', 'o-1', false)), withOrder);
    expect(request).toMatchObject({ kind: 'transfer-request', to: 'anthony@example.com' });
    expect(request?.body).toContain('900');
    const [receipt] = notificationsFor(recorded('e-6', billingCreated('b-2', 'o-1', true)), withOrder);
    expect(receipt).toMatchObject({ kind: 'receipt', to: 'anthony@example.com' });
  });

  it('receipt when a billing becomes done; nothing when it is reopened or was done already', () => {
    const billed = rebuildOrdersState([
      ...demoEvents,
      orderCreated('o-1', '101', ['201']),
      billingCreated('b-1', 'o-1', false),
    ]);
    const done = recorded('e-7', { type: 'billing-updated', data: { id: 'b-1', changes: { done: true } } });
    expect(notificationsFor(done, billed)).toMatchObject([{ kind: 'receipt', causedBy: 'e-7' }]);
    const reopened = recorded('e-8', { type: 'billing-updated', data: { id: 'b-1', changes: { done: false } } });
    expect(notificationsFor(reopened, billed)).toEqual([]);
    const alreadyDone = rebuildOrdersState([
      ...demoEvents,
      orderCreated('o-1', '101', ['201']),
      billingCreated('b-1', 'o-1', true),
    ]);
    expect(notificationsFor(done, alreadyDone)).toEqual([]);
  });

  it('in-stock on stock-reserved', () => {
    const event = recorded('e-9', {
      type: 'stock-reserved',
      data: {
        order_id: 'o-1',
        customer_id: '101',
        items: [{ inventory_id: '201', product_id: '201', quantity: 1 }],
        total: 800,
      },
    });
    expect(notificationsFor(event, withOrder)).toMatchObject([{ kind: 'in-stock', to: 'anthony@example.com' }]);
  });

  it.each([
    ['out-of-stock', 'out-of-stock'],
    ['insufficient-fund', 'insufficient-fund'],
    ['to-be-shipped', 'shipped'],
  ] as const)('order-status-changed to %s -> %s', (status, kind) => {
    const event = recorded('e-10', { type: 'order-status-changed', data: { id: 'o-1', customer_id: '101', status } });
    expect(notificationsFor(event, withOrder)).toMatchObject([{ id: `e-10:${kind}`, kind, to: 'anthony@example.com' }]);
  });

  it('nothing for other events', () => {
    const quiet: OrdersEvent[] = [
      { type: 'customer-updated', data: { id: '101', changes: { balance: 1 } } },
      { type: 'product-created', data: { id: 'p', name: 'P', price: 1 } },
      { type: 'customer-charged', data: { order_id: 'o-1', customer_id: '101', amount: 1, balance: 1 } },
      { type: 'stock-released', data: { order_id: 'o-1', items: [] } },
    ];
    for (const event of quiet) expect(notificationsFor(recorded('e', event), withOrder)).toEqual([]);
  });

  it('the same event always gives the same notification ids', () => {
    const event = recorded('e-11', orderCreated('o-2', '103', ['201']));
    expect(notificationsFor(event, withOrder)).toEqual(notificationsFor(event, withOrder));
    expect(NOTIFICATION_KINDS).toHaveLength(9);
  });
});
