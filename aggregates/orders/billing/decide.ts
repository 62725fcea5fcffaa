import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting } from '../shared/crud.js';
import { unknownReference } from '../shared/errors.js';
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
export function decideBilling(command: BillingCommand, state: OrdersState, ids: IdGenerator): BillingEvent[] {
  switch (command.type) {
    case 'create-billings': {
      const { items } = parseInput(createBillingsSchema, command, 'billings');
      items.forEach((item, index) => {
        if (!state.orders.has(item.order_id))
          throw unknownReference('order', item.order_id, `items[${index}].order_id`);
      });
      return assignIds(items, state.billings, ids, 'billing').map((billing) => ({
        type: 'billing-created',
        data: billing,
      }));
    }
    case 'update-billing': {
      const { id, changes } = parseInput(updateBillingSchema, command, 'billing update');
      const changed = changedFields(requireExisting(state.billings, id, 'billing'), changes);
      if (changed.order_id !== undefined && !state.orders.has(changed.order_id)) {
        throw unknownReference('order', changed.order_id, 'changes.order_id');
      }
      return hasChanges(changed) ? [{ type: 'billing-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-billing': {
      const { id } = parseInput(deleteBillingSchema, command, 'billing delete');
      requireExisting(state.billings, id, 'billing');
      return [{ type: 'billing-deleted', data: { id } }];
    }
  }
}
