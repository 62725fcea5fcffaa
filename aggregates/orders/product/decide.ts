import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting } from '../shared/crud.js';
import { parseInput } from '../shared/validation.js';
import type { OrdersState } from '../state.js';
import {
  createProductsSchema,
  deleteProductSchema,
  updateProductSchema,
  type ProductCommand,
  type ProductEvent,
} from './schema.js';

/**
 * Product rules: create one or many; update or delete only an existing product. Deleting a product leaves its
 * inventory rows alone; orders for it then end out-of-stock (an unknown product has no stock).
 */
export function decideProduct(command: ProductCommand, state: OrdersState, ids: IdGenerator): ProductEvent[] {
  switch (command.type) {
    case 'create-products': {
      const { items } = parseInput(createProductsSchema, command, 'products');
      return assignIds(items, state.products, ids, 'product').map((product) => ({
        type: 'product-created',
        data: product,
      }));
    }
    case 'update-product': {
      const { id, changes } = parseInput(updateProductSchema, command, 'product update');
      const changed = changedFields(requireExisting(state.products, id, 'product'), changes);
      return hasChanges(changed) ? [{ type: 'product-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-product': {
      const { id } = parseInput(deleteProductSchema, command, 'product delete');
      requireExisting(state.products, id, 'product');
      return [{ type: 'product-deleted', data: { id } }];
    }
  }
}
