import type { Billing } from './billing/schema.js';
import type { Customer } from './customer/schema.js';
import type { Inventory } from './inventory/schema.js';
import type { Order } from './order/schema.js';
import type { Product } from './product/schema.js';
import type { Charge, Reservation, SagaStart } from './saga/schema.js';

/** What each collection of the state holds, by id (entities) or by order id (saga markers). */
export interface OrdersCollections {
  customers: Customer;
  products: Product;
  inventory: Inventory;
  orders: Order;
  billings: Billing;
  /** The reserve-stock step's record per order id: the marker that makes the step idempotent. */
  reservations: Reservation;
  /** The charge-customer step's record per order id: the marker that makes the step idempotent. */
  charges: Charge;
  /** Every order whose saga started, by order id (also once the order is deleted). */
  sagas: SagaStart;
}
export type CollectionName = keyof OrdersCollections;

/**
 * The whole orders domain state, rebuilt by folding events in log order with `evolve`. Maps keep insertion
 * order, so lists come out in creation order. Treat it as immutable: `evolve` returns a new state and shares the
 * collections it did not touch.
 */
export type OrdersState = { readonly [K in CollectionName]: ReadonlyMap<string, OrdersCollections[K]> };

export const COLLECTION_NAMES: readonly CollectionName[] = Object.freeze([
  'customers',
  'products',
  'inventory',
  'orders',
  'billings',
  'reservations',
  'charges',
  'sagas',
]);

export const emptyOrdersState: OrdersState = Object.freeze({
  customers: new Map(),
  products: new Map(),
  inventory: new Map(),
  orders: new Map(),
  billings: new Map(),
  reservations: new Map(),
  charges: new Map(),
  sagas: new Map(),
});

type MutableCollections = { [K in CollectionName]?: Map<string, OrdersCollections[K]> };

/**
 * A copy-on-write working copy of a state: a collection is copied on its first write, once, however many
 * events are applied. This keeps `evolve` pure while folding N events costs O(N + size), not O(N * size).
 */
export class OrdersStateDraft {
  readonly #base: OrdersState;
  readonly #copies: MutableCollections = {};
  #finished = false;

  constructor(base: OrdersState) {
    this.#base = base;
  }

  read<K extends CollectionName>(name: K): ReadonlyMap<string, OrdersCollections[K]> {
    return this.#copies[name] ?? this.#base[name];
  }

  write<K extends CollectionName>(name: K): Map<string, OrdersCollections[K]> {
    if (this.#finished) throw new Error('OrdersStateDraft: write after finish()');
    const copies = this.#copies as { [N in K]?: Map<string, OrdersCollections[N]> };
    const existing = copies[name];
    if (existing !== undefined) return existing;
    const copy = new Map<string, OrdersCollections[K]>(this.#base[name]);
    copies[name] = copy;
    return copy;
  }

  /** The state as it is now. Valid until the next write; use `finish()` for a state to keep. */
  current(): OrdersState {
    return this.#snapshot();
  }

  /** The final state; the draft takes no more writes. */
  finish(): OrdersState {
    this.#finished = true;
    return Object.freeze(this.#snapshot());
  }

  #snapshot(): OrdersState {
    return {
      customers: this.read('customers'),
      products: this.read('products'),
      inventory: this.read('inventory'),
      orders: this.read('orders'),
      billings: this.read('billings'),
      reservations: this.read('reservations'),
      charges: this.read('charges'),
      sagas: this.read('sagas'),
    };
  }
}
