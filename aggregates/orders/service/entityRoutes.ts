import type { OrdersCommandType } from '../index.js';

/** How an entity appears in the OrderShop routes and which commands write it. */
export interface EntityRoute {
  /** State collection and plural path: `/customers`. */
  readonly collection: 'customers' | 'products' | 'inventory' | 'orders' | 'billings';
  /** Singular path: `/customer`, `/customer/{id}`. */
  readonly singular: string;
  readonly create: OrdersCommandType;
  readonly update: OrdersCommandType;
  readonly remove: OrdersCommandType;
}

export const ENTITY_ROUTES: readonly EntityRoute[] = Object.freeze([
  {
    collection: 'customers',
    singular: 'customer',
    create: 'create-customers',
    update: 'update-customer',
    remove: 'delete-customer',
  },
  {
    collection: 'products',
    singular: 'product',
    create: 'create-products',
    update: 'update-product',
    remove: 'delete-product',
  },
  {
    collection: 'inventory',
    singular: 'inventory',
    create: 'create-inventory',
    update: 'update-inventory',
    remove: 'delete-inventory',
  },
  { collection: 'orders', singular: 'order', create: 'create-orders', update: 'update-order', remove: 'delete-order' },
  {
    collection: 'billings',
    singular: 'billing',
    create: 'create-billings',
    update: 'update-billing',
    remove: 'delete-billing',
  },
]);

/** The paths that create entities of `route`: plural and singular (`/order` is the shop's own route). */
export function createPaths(route: EntityRoute): string[] {
  const paths = [`/${route.collection}`];
  if (route.singular !== route.collection && route.singular !== 'order') paths.push(`/${route.singular}`);
  return paths;
}
