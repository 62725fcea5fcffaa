import { mergeEntity, putEntity, removeEntity } from '../shared/crud.js';
import type { OrdersStateDraft } from '../state.js';
import type { InventoryEvent } from './schema.js';

export function evolveInventory(draft: OrdersStateDraft, event: InventoryEvent): void {
  const inventory = draft.write('inventory');
  switch (event.type) {
    case 'inventory-created':
      return putEntity(inventory, event.data);
    case 'inventory-updated':
      return mergeEntity(inventory, event.data.id, event.data.changes);
    case 'inventory-deleted':
      return removeEntity(inventory, event.data.id);
  }
}
