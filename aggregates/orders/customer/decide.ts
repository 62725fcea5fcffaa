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
export function decideCustomer(command: CustomerCommand, state: OrdersState, ids: IdGenerator): CustomerEvent[] {
  switch (command.type) {
    case 'create-customers': {
      const { items } = parseInput(createCustomersSchema, command, 'customers');
      return assignIds(items, state.customers, ids, 'customer').map((customer) => ({
        type: 'customer-created',
        data: customer,
      }));
    }
    case 'update-customer': {
      const { id, changes } = parseInput(updateCustomerSchema, command, 'customer update');
      const changed = changedFields(requireExisting(state.customers, id, 'customer'), changes);
      return hasChanges(changed) ? [{ type: 'customer-updated', data: { id, changes: changed } }] : [];
    }
    case 'delete-customer': {
      const { id } = parseInput(deleteCustomerSchema, command, 'customer delete');
      requireExisting(state.customers, id, 'customer');
      return [{ type: 'customer-deleted', data: { id } }];
    }
  }
}
