import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting, unknownItemReference } from '../shared/crud.js';
import { ORDERS_ERROR_CODES, OrdersError, isOrdersError, unknownReference } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { OrdersState } from '../state.js';
import {
  createOrdersSchema,
  deleteOrderSchema,
  updateOrderSchema,
  type OrderCommand,
  type OrderEvent,
} from './schema.js';

/**
 * Order rules: an order is placed for a customer that exists, with 1..100 product ids (repeats count as units;
 * unknown products are accepted and end out-of-stock in the saga), and always starts `pending`. An update may
 * change `customer_id` and `product_ids` but never the status (the saga owns it); it corrects the record only and
 * does not re-run the saga. Update and delete need an existing order.
 */
export function decideOrder(command: OrderCommand, state: OrdersState, ids: IdGenerator): OrderEvent[] | OrdersError {
  switch (command.type) {
    case 'create-orders': {
      const parsed = parseInput(createOrdersSchema, command, 'orders');
      if (isOrdersError(parsed)) return parsed;
      const unknown = unknownItemReference(parsed.items, 'customer_id', state.customers, 'customer');
      if (unknown !== undefined) return unknown;
      const created = assignIds(parsed.items, state.orders, ids, 'order');
      if (isOrdersError(created)) return created;
      return created.map(({ id, customer_id, product_ids }) => ({
        type: 'order-created',
        data: { id, customer_id, product_ids, status: 'pending' },
      }));
    }
    case 'update-order': {
      const parsed = parseInput(updateOrderSchema, command, 'order update');
      if (isOrdersError(parsed)) return parsed;
      const { id, changes } = parsed;
      const current = requireExisting(state.orders, id, 'order');
      if (isOrdersError(current)) return current;
      if (changes.status !== undefined && changes.status !== current.status) {
        return new OrdersError(
          ORDERS_ERROR_CODES.statusOwnedBySaga,
          `the status of order ${JSON.stringify(id)} is ${current.status} and only the order saga changes it`,
          { field: 'changes.status' },
        );
      }
      const changed = changedFields(current, { customer_id: changes.customer_id, product_ids: changes.product_ids });
      if (changed.customer_id !== undefined && !state.customers.has(changed.customer_id)) {
        return unknownReference('customer', changed.customer_id, 'changes.customer_id');
      }
      return hasChanges(changed) ? [{ type: 'order-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-order': {
      const parsed = parseInput(deleteOrderSchema, command, 'order delete');
      if (isOrdersError(parsed)) return parsed;
      const current = requireExisting(state.orders, parsed.id, 'order');
      if (isOrdersError(current)) return current;
      return [{ type: 'order-deleted', data: { id: parsed.id } }];
    }
  }
}
