import { z } from 'zod';
import { idSchema } from '../shared/ids.js';
import { changesOf, itemsOf } from '../shared/schemas.js';

// ---- the entity ---------------------------------------------------------------------------------------------

export const MAX_STOCK_AMOUNT = 1_000_000_000;

export const inventoryFields = {
  /** The product this stock is of; it must exist when the inventory is created or moved. */
  product_id: idSchema,
  /** Units on hand, not counting units reserved for orders (reserving takes them off). */
  amount: z.number().int().nonnegative().max(MAX_STOCK_AMOUNT),
};

export const inventorySchema = z.object({ id: idSchema, ...inventoryFields });
export type Inventory = Readonly<z.output<typeof inventorySchema>>;

export const inventoryDraftSchema = z.object({ id: idSchema.optional(), ...inventoryFields });
export type InventoryDraft = z.input<typeof inventoryDraftSchema>;

export const inventoryChangesSchema = changesOf(inventoryFields);
export type InventoryChanges = z.output<typeof inventoryChangesSchema>;

// ---- commands -----------------------------------------------------------------------------------------------

export const createInventorySchema = z.object({
  type: z.literal('create-inventory'),
  items: itemsOf(inventoryDraftSchema),
});
export const updateInventorySchema = z.object({
  type: z.literal('update-inventory'),
  id: idSchema,
  changes: inventoryChangesSchema,
});
export const deleteInventorySchema = z.object({ type: z.literal('delete-inventory'), id: idSchema });

export interface CreateInventory {
  readonly type: 'create-inventory';
  readonly items: InventoryDraft | readonly InventoryDraft[];
}
export interface UpdateInventory {
  readonly type: 'update-inventory';
  readonly id: string | number;
  readonly changes: z.input<typeof inventoryChangesSchema>;
}
export interface DeleteInventory {
  readonly type: 'delete-inventory';
  readonly id: string | number;
}
export type InventoryCommand = CreateInventory | UpdateInventory | DeleteInventory;

// ---- events -------------------------------------------------------------------------------------------------

export const inventoryEventSchemas = {
  'inventory-created': inventorySchema,
  'inventory-updated': z.object({ id: idSchema, changes: inventoryChangesSchema }),
  'inventory-deleted': z.object({ id: idSchema }),
};

export type InventoryCreated = { readonly type: 'inventory-created'; readonly data: Inventory };
export type InventoryUpdated = {
  readonly type: 'inventory-updated';
  readonly data: { readonly id: string; readonly changes: InventoryChanges };
};
export type InventoryDeleted = { readonly type: 'inventory-deleted'; readonly data: { readonly id: string } };
export type InventoryEvent = InventoryCreated | InventoryUpdated | InventoryDeleted;
