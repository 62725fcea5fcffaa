import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting, unknownItemReference } from '../shared/crud.js';
import { isOrdersError, unknownReference, type OrdersError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { OrdersState } from '../state.js';
import {
  createBillingsSchema,
  deleteBillingSchema,
  updateBillingSchema,
  type BillingCommand,
  type BillingEvent,
} from './schema.js';

/**
 * Billing rules: a billing is for an order that exists (ORD_ERR_UNKNOWN_REFERENCE naming `items[i].order_id`);
 * `done` is required (false: payment requested, true: paid); an order may have several billings; update or
 * delete only an existing billing. Which orders count as billed: see unbilled.ts.
 */
export function decideBilling(
  command: BillingCommand,
  state: OrdersState,
  ids: IdGenerator,
): BillingEvent[] | OrdersError {
  switch (command.type) {
    case 'create-billings': {
      const parsed = parseInput(createBillingsSchema, command, 'billings');
      if (isOrdersError(parsed)) return parsed;
      const unknown = unknownItemReference(parsed.items, 'order_id', state.orders, 'order');
      if (unknown !== undefined) return unknown;
      const created = assignIds(parsed.items, state.billings, ids, 'billing');
      if (isOrdersError(created)) return created;
      return created.map((billing) => ({ type: 'billing-created', data: billing }));
    }
    case 'update-billing': {
      const parsed = parseInput(updateBillingSchema, command, 'billing update');
      if (isOrdersError(parsed)) return parsed;
      const { id, changes } = parsed;
      const current = requireExisting(state.billings, id, 'billing');
      if (isOrdersError(current)) return current;
      const changed = changedFields(current, changes);
      if (changed.order_id !== undefined && !state.orders.has(changed.order_id)) {
        return unknownReference('order', changed.order_id, 'changes.order_id');
      }
      return hasChanges(changed) ? [{ type: 'billing-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-billing': {
      const parsed = parseInput(deleteBillingSchema, command, 'billing delete');
      if (isOrdersError(parsed)) return parsed;
      const current = requireExisting(state.billings, parsed.id, 'billing');
      if (isOrdersError(current)) return current;
      return [{ type: 'billing-deleted', data: { id: parsed.id } }];
    }
  }
}
