import {
  unbilledOrders,
  type Customer,
  type Notification,
  type NotificationKind,
  type Order,
  type OrdersCollections,
} from '../../../aggregates/orders/contract.js';
import type { OrdersView } from './ordersView.js';

/** The entity collections a client can list and look up (`GET /customers`, `GET /customer/{id}`, ...). */
export type EntityCollection = 'customers' | 'products' | 'inventory' | 'orders' | 'billings';
export type EntityOf<K extends EntityCollection> = OrdersCollections[K];

export const ENTITY_COLLECTIONS: readonly EntityCollection[] = Object.freeze([
  'customers',
  'products',
  'inventory',
  'orders',
  'billings',
]);

/** Every entity of a collection, in creation order. */
export function listEntities<K extends EntityCollection>(view: OrdersView, collection: K): EntityOf<K>[] {
  return [...view.state[collection].values()] as EntityOf<K>[];
}

/** One entity by id; `undefined` when it does not exist (never created, or deleted). */
export function findEntity<K extends EntityCollection>(
  view: OrdersView,
  collection: K,
  id: string,
): EntityOf<K> | undefined {
  return view.state[collection].get(id);
}

/** `GET /orders/unbilled`: orders without a done billing. */
export function listUnbilledOrders(view: OrdersView): Order[] {
  return unbilledOrders(view.state);
}

/** A customer's account as the shop's report shows it (seed 003's accounts). */
export interface Account {
  readonly id: string;
  readonly name: string;
  readonly balance: number;
}

export interface OrdersReport {
  readonly customers: Customer[];
  readonly products: EntityOf<'products'>[];
  readonly inventory: EntityOf<'inventory'>[];
  readonly orders: Order[];
  readonly billings: EntityOf<'billings'>[];
  readonly accounts: Account[];
}

/** `GET /report`. */
export function buildReport(view: OrdersView): OrdersReport {
  const customers = listEntities(view, 'customers');
  return {
    customers,
    products: listEntities(view, 'products'),
    inventory: listEntities(view, 'inventory'),
    orders: listEntities(view, 'orders'),
    billings: listEntities(view, 'billings'),
    accounts: customers.map(({ id, name, balance }) => ({ id, name, balance })),
  };
}

export interface NotificationFilter {
  /** Only notifications to this address (email or customer id). */
  readonly to?: string;
  readonly kind?: NotificationKind;
}

/** `GET /notifications`, oldest first, optionally filtered. */
export function listNotifications(view: OrdersView, filter: NotificationFilter = {}): Notification[] {
  const all = [...view.notifications.values()];
  return all.filter(
    (n) => (filter.to === undefined || n.to === filter.to) && (filter.kind === undefined || n.kind === filter.kind),
  );
}
