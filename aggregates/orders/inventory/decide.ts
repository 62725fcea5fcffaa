import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting } from '../shared/crud.js';
import { unknownReference } from '../shared/errors.js';
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
export function decideInventory(command: InventoryCommand, state: OrdersState, ids: IdGenerator): InventoryEvent[] {
  switch (command.type) {
    case 'create-inventory': {
      const { items } = parseInput(createInventorySchema, command, 'inventory');
      items.forEach((item, index) => {
        if (!state.products.has(item.product_id)) {
          throw unknownReference('product', item.product_id, `items[${index}].product_id`);
        }
      });
      return assignIds(items, state.inventory, ids, 'inventory').map((row) => ({
        type: 'inventory-created',
        data: row,
      }));
    }
    case 'update-inventory': {
      const { id, changes } = parseInput(updateInventorySchema, command, 'inventory update');
      const changed = changedFields(requireExisting(state.inventory, id, 'inventory'), changes);
      if (changed.product_id !== undefined && !state.products.has(changed.product_id)) {
        throw unknownReference('product', changed.product_id, 'changes.product_id');
      }
      return hasChanges(changed) ? [{ type: 'inventory-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-inventory': {
      const { id } = parseInput(deleteInventorySchema, command, 'inventory delete');
      requireExisting(state.inventory, id, 'inventory');
      return [{ type: 'inventory-deleted', data: { id } }];
    }
  }
}
