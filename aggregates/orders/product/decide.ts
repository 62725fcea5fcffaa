import { isOrdersError, type OrdersError } from '../shared/errors.js';
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
export function decideProduct(
  command: ProductCommand,
  state: OrdersState,
  ids: IdGenerator,
): ProductEvent[] | OrdersError {
  switch (command.type) {
    case 'create-products': {
      const parsed = parseInput(createProductsSchema, command, 'products');
      if (isOrdersError(parsed)) return parsed;
      const created = assignIds(parsed.items, state.products, ids, 'product');
      if (isOrdersError(created)) return created;
      return created.map((product) => ({ type: 'product-created', data: product }));
    }
    case 'update-product': {
      const parsed = parseInput(updateProductSchema, command, 'product update');
      if (isOrdersError(parsed)) return parsed;
      const { id, changes } = parsed;
      const current = requireExisting(state.products, id, 'product');
      if (isOrdersError(current)) return current;
      const changed = changedFields(current, changes);
      return hasChanges(changed) ? [{ type: 'product-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-product': {
      const parsed = parseInput(deleteProductSchema, command, 'product delete');
      if (isOrdersError(parsed)) return parsed;
      const current = requireExisting(state.products, parsed.id, 'product');
      if (isOrdersError(current)) return current;
      return [{ type: 'product-deleted', data: { id: parsed.id } }];
    }
  }
}
