import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting, unknownItemReference } from '../shared/crud.js';
import { isOrdersError, unknownReference, type OrdersError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { OrdersState } from '../state.js';
import {
  createInventorySchema,
  deleteInventorySchema,
  updateInventorySchema,
  type InventoryCommand,
  type InventoryEvent,
} from './schema.js';

/**
 * Inventory rules: create one or many rows, each for a product that exists (ORD_ERR_UNKNOWN_REFERENCE naming
 * `items[i].product_id` otherwise); update or delete only an existing row; moving a row to another product
 * needs that product to exist. Stock moves by orders happen in the saga (saga/reserveStock, saga/releaseStock).
 */
export function decideInventory(
  command: InventoryCommand,
  state: OrdersState,
  ids: IdGenerator,
): InventoryEvent[] | OrdersError {
  switch (command.type) {
    case 'create-inventory': {
      const parsed = parseInput(createInventorySchema, command, 'inventory');
      if (isOrdersError(parsed)) return parsed;
      const unknown = unknownItemReference(parsed.items, 'product_id', state.products, 'product');
      if (unknown !== undefined) return unknown;
      const created = assignIds(parsed.items, state.inventory, ids, 'inventory');
      if (isOrdersError(created)) return created;
      return created.map((row) => ({ type: 'inventory-created', data: row }));
    }
    case 'update-inventory': {
      const parsed = parseInput(updateInventorySchema, command, 'inventory update');
      if (isOrdersError(parsed)) return parsed;
      const { id, changes } = parsed;
      const current = requireExisting(state.inventory, id, 'inventory');
      if (isOrdersError(current)) return current;
      const changed = changedFields(current, changes);
      if (changed.product_id !== undefined && !state.products.has(changed.product_id)) {
        return unknownReference('product', changed.product_id, 'changes.product_id');
      }
      return hasChanges(changed) ? [{ type: 'inventory-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-inventory': {
      const parsed = parseInput(deleteInventorySchema, command, 'inventory delete');
      if (isOrdersError(parsed)) return parsed;
      const current = requireExisting(state.inventory, parsed.id, 'inventory');
      if (isOrdersError(current)) return current;
      return [{ type: 'inventory-deleted', data: { id: parsed.id } }];
    }
  }
}
