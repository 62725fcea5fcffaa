import type { OrdersCommand } from '../commands.js';
import type { CustomerEvent } from '../customer/schema.js';
import type { InventoryEvent } from '../inventory/schema.js';
import type { ProductEvent } from '../product/schema.js';
import { changedFields, hasChanges } from '../shared/crud.js';
import type { OrdersState } from '../state.js';

/** The shop's demo accounts (seed 003): customers with these ids, names and balances. */
export const DEMO_ACCOUNTS = Object.freeze([
  Object.freeze({ id: '101', name: 'Anthony', email: 'anthony@example.com', balance: 1000 }),
  Object.freeze({ id: '102', name: 'Becky', email: 'becky@example.com', balance: 100 }),
  Object.freeze({ id: '103', name: 'Carol', email: 'carol@example.com', balance: 1000 }),
]);

/** The shop's demo items (seed 003): a product each, and an inventory row with the same id holding `amount`. */
export const DEMO_ITEMS = Object.freeze([
  Object.freeze({ id: '201', name: 'Denon Speakers', price: 800, amount: 4 }),
  Object.freeze({ id: '202', name: 'Sonos Speakers', price: 600, amount: 7 }),
  Object.freeze({ id: '203', name: 'AudioPro Speakers', price: 400, amount: 4 }),
  Object.freeze({ id: '204', name: 'Google Home Mini', price: 100, amount: 3 }),
  Object.freeze({ id: '205', name: 'Xiaomi Soundbar', price: 300, amount: 8 }),
]);

/** The demo data as plain create commands, for an empty shop (on a loaded shop they fail with ORD_ERR_CONFLICT). */
export function demoDataCommands(): OrdersCommand[] {
  return [
    { type: 'create-customers', items: DEMO_ACCOUNTS.map((account) => ({ ...account })) },
    { type: 'create-products', items: DEMO_ITEMS.map(({ id, name, price }) => ({ id, name, price })) },
    { type: 'create-inventory', items: DEMO_ITEMS.map(({ id, amount }) => ({ id, product_id: id, amount })) },
  ];
}

export type DemoDataEvent = CustomerEvent | ProductEvent | InventoryEvent;

/**
 * `POST /init-data`: the events that make the demo entities exist with their demo values. Missing ones are
 * created, changed ones are reset (balance back to 1000, stock back to 4, ...), and everything else is left
 * alone. Loading twice emits nothing the second time.
 */
export function decideDemoData(state: OrdersState): DemoDataEvent[] {
  const events: DemoDataEvent[] = [];
  for (const { id, name, email, balance } of DEMO_ACCOUNTS) {
    const current = state.customers.get(id);
    if (current === undefined) {
      events.push({ type: 'customer-created', data: { id, name, email, balance } });
      continue;
    }
    const changes = changedFields(current, { name, email, balance });
    if (hasChanges(changes)) events.push({ type: 'customer-updated', data: { id, changes } });
  }
  for (const { id, name, price } of DEMO_ITEMS) {
    const current = state.products.get(id);
    if (current === undefined) {
      events.push({ type: 'product-created', data: { id, name, price } });
      continue;
    }
    const changes = changedFields(current, { name, price });
    if (hasChanges(changes)) events.push({ type: 'product-updated', data: { id, changes } });
  }
  for (const { id, amount } of DEMO_ITEMS) {
    const current = state.inventory.get(id);
    if (current === undefined) {
      events.push({ type: 'inventory-created', data: { id, product_id: id, amount } });
      continue;
    }
    const changes = changedFields(current, { product_id: id, amount });
    if (hasChanges(changes)) events.push({ type: 'inventory-updated', data: { id, changes } });
  }
  return events;
}
