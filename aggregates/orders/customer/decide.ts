import { isOrdersError, type OrdersError } from '../shared/errors.js';
import type { IdGenerator } from '../shared/ids.js';
import { assignIds, changedFields, hasChanges, requireExisting } from '../shared/crud.js';
import { parseInput } from '../shared/validation.js';
import type { OrdersState } from '../state.js';
import {
  createCustomersSchema,
  deleteCustomerSchema,
  updateCustomerSchema,
  type CustomerCommand,
  type CustomerEvent,
} from './schema.js';

/**
 * Customer rules: create one or many (ids given or generated, never reused while alive); update only an
 * existing customer and only with real changes; delete only an existing customer (their orders stay).
 */
export function decideCustomer(
  command: CustomerCommand,
  state: OrdersState,
  ids: IdGenerator,
): CustomerEvent[] | OrdersError {
  switch (command.type) {
    case 'create-customers': {
      const parsed = parseInput(createCustomersSchema, command, 'customers');
      if (isOrdersError(parsed)) return parsed;
      const created = assignIds(parsed.items, state.customers, ids, 'customer');
      if (isOrdersError(created)) return created;
      return created.map((customer) => ({ type: 'customer-created', data: customer }));
    }
    case 'update-customer': {
      const parsed = parseInput(updateCustomerSchema, command, 'customer update');
      if (isOrdersError(parsed)) return parsed;
      const { id, changes } = parsed;
      const current = requireExisting(state.customers, id, 'customer');
      if (isOrdersError(current)) return current;
      const changed = changedFields(current, changes);
      return hasChanges(changed) ? [{ type: 'customer-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-customer': {
      const parsed = parseInput(deleteCustomerSchema, command, 'customer delete');
      if (isOrdersError(parsed)) return parsed;
      const current = requireExisting(state.customers, parsed.id, 'customer');
      if (isOrdersError(current)) return current;
      return [{ type: 'customer-deleted', data: { id: parsed.id } }];
    }
  }
}
