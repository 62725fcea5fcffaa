import type { Customer } from '../customer/schema.js';
import type { RecordedOrdersEvent } from '../events.js';
import { fromCents, toCents } from '../shared/money.js';
import type { OrdersState } from '../state.js';
import type { Notification, NotificationKind } from './notification.js';

/** What the mapping looks names up in: the state *before* the event is applied (a deleted customer still there). */
export type NotificationDirectory = Pick<OrdersState, 'customers' | 'products' | 'orders' | 'billings' | 'charges'>;

interface Recipient {
  readonly to: string;
  readonly name: string;
}

function recipient(directory: NotificationDirectory, customerId: string): Recipient {
  const customer: Customer | undefined = directory.customers.get(customerId);
  return customer === undefined
    ? { to: customerId, name: `customer ${customerId}` }
    : { to: customer.email, name: customer.name };
}

/** What the order costs: the amount charged when there was a charge, else the current product prices. */
function orderAmount(directory: NotificationDirectory, orderId: string): number {
  const charge = directory.charges.get(orderId);
  if (charge?.status === 'charged') return charge.amount;
  const order = directory.orders.get(orderId);
  const cents = (order?.product_ids ?? []).reduce(
    (sum, id) => sum + toCents(directory.products.get(id)?.price ?? 0),
    0,
  );
  return fromCents(cents);
}

function notification(
  causedBy: string,
  kind: NotificationKind,
  who: Recipient,
  subject: string,
  body: string,
): Notification {
  return Object.freeze({ id: `${causedBy}:${kind}`, kind, to: who.to, subject, body, causedBy });
}

/** Transfer request (billing not done) or receipt (done), to the customer of the billed order. */
function billingNotice(
  directory: NotificationDirectory,
  causedBy: string,
  billingId: string,
  orderId: string,
  done: boolean,
): Notification[] {
  const order = directory.orders.get(orderId);
  if (order === undefined) return [];
  const who = recipient(directory, order.customer_id);
  const amount = orderAmount(directory, orderId);
  return done
    ? [
        notification(
          causedBy,
          'receipt',
          who,
          `Receipt for order ${orderId}`,
          `Dear ${who.name}, we received your payment of ${amount} for order ${orderId} (billing ${billingId}). Thank you!`,
        ),
      ]
    : [
        notification(
          causedBy,
          'transfer-request',
          who,
          `Payment request for order ${orderId}`,
          `Dear ${who.name}, please transfer ${amount} for order ${orderId} (billing ${billingId}).`,
        ),
      ];
}

/**
 * Event -> notifications (none for most events). Pure; call it with the state before the event is applied.
 *
 * | event                                       | kind               |
 * |---------------------------------------------|--------------------|
 * | customer-created                            | welcome            |
 * | customer-deleted                            | good-bye           |
 * | order-created                               | thank-you          |
 * | billing-created (done: false)               | transfer-request   |
 * | billing-created (done: true), billing-updated to done | receipt  |
 * | stock-reserved                              | in-stock           |
 * | order-status-changed to out-of-stock        | out-of-stock       |
 * | order-status-changed to insufficient-fund   | insufficient-fund  |
 * | order-status-changed to to-be-shipped       | shipped            |
 */
export function notificationsFor(event: RecordedOrdersEvent, directory: NotificationDirectory): Notification[] {
  const causedBy = event.id;
  switch (event.type) {
    case 'customer-created': {
      const { id, name, email, balance } = event.data;
      return [
        notification(
          causedBy,
          'welcome',
          { to: email, name },
          `Welcome, ${name}!`,
          `Hello ${name}, your shop account ${id} is ready. Your balance is ${balance}.`,
        ),
      ];
    }
    case 'customer-deleted': {
      const who = recipient(directory, event.data.id);
      return [
        notification(
          causedBy,
          'good-bye',
          who,
          `Good-bye, ${who.name}`,
          `Dear ${who.name}, your shop account ${event.data.id} has been closed. We hope to see you again.`,
        ),
      ];
    }
    case 'order-created': {
      const { id, customer_id, product_ids } = event.data;
      const who = recipient(directory, customer_id);
      const units = product_ids.length === 1 ? '1 item' : `${product_ids.length} items`;
      return [
        notification(
          causedBy,
          'thank-you',
          who,
          `Thank you for your order ${id}`,
          `Dear ${who.name}, thank you for your order ${id} of ${units}. We will let you know when it ships.`,
        ),
      ];
    }
    case 'billing-created':
      return billingNotice(directory, causedBy, event.data.id, event.data.order_id, event.data.done);
    case 'billing-updated': {
      if (event.data.changes.done !== true) return [];
      const billing = directory.billings.get(event.data.id);
      if (billing === undefined || billing.done) return [];
      return billingNotice(directory, causedBy, billing.id, event.data.changes.order_id ?? billing.order_id, true);
    }
    case 'stock-reserved': {
      const { order_id, customer_id } = event.data;
      const who = recipient(directory, customer_id);
      return [
        notification(
          causedBy,
          'in-stock',
          who,
          `Order ${order_id}: in stock`,
          `Dear ${who.name}, every item of order ${order_id} is in stock and reserved for you.`,
        ),
      ];
    }
    case 'order-status-changed': {
      const { id, customer_id, status } = event.data;
      const who = recipient(directory, customer_id);
      switch (status) {
        case 'out-of-stock':
          return [
            notification(
              causedBy,
              'out-of-stock',
              who,
              `Order ${id}: out of stock`,
              `Dear ${who.name}, we are sorry: some items of order ${id} are out of stock, so it was cancelled. Nothing was charged.`,
            ),
          ];
        case 'insufficient-fund':
          return [
            notification(
              causedBy,
              'insufficient-fund',
              who,
              `Order ${id}: insufficient funds`,
              `Dear ${who.name}, your balance does not cover order ${id}, so it was cancelled and its items released.`,
            ),
          ];
        case 'to-be-shipped':
          return [
            notification(
              causedBy,
              'shipped',
              who,
              `Order ${id} is on its way`,
              `Dear ${who.name}, order ${id} is paid and will be shipped soon.`,
            ),
          ];
      }
      break;
    }
    default:
      break;
  }
  return [];
}
