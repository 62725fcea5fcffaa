import { decideBilling } from './billing/decide.js';
import type { OrdersCommand } from './commands.js';
import { decideCustomer } from './customer/decide.js';
import type { OrdersEvent } from './events.js';
import { decideInventory } from './inventory/decide.js';
import { decideOrder } from './order/decide.js';
import { decideProduct } from './product/decide.js';
import { ORDERS_ERROR_CODES, OrdersError } from './shared/errors.js';
import type { IdGenerator } from './shared/ids.js';
import type { OrdersState } from './state.js';

/**
 * `decide(command, state, ids) -> events | OrdersError`: validates the command (ORD_ERR_VALIDATION), checks it
 * against the state (ORD_ERR_NOT_FOUND, ORD_ERR_CONFLICT, ORD_ERR_UNKNOWN_REFERENCE) and returns the events to
 * append. Pure, and it never throws: when any item of a batch is rejected it returns the OrdersError (and no
 * events). New ids come from `ids`.
 */
export function decide(command: OrdersCommand, state: OrdersState, ids: IdGenerator): OrdersEvent[] | OrdersError {
  switch (command.type) {
    case 'create-customers':
    case 'update-customer':
    case 'delete-customer':
      return decideCustomer(command, state, ids);
    case 'create-products':
    case 'update-product':
    case 'delete-product':
      return decideProduct(command, state, ids);
    case 'create-inventory':
    case 'update-inventory':
    case 'delete-inventory':
      return decideInventory(command, state, ids);
    case 'create-orders':
    case 'update-order':
    case 'delete-order':
      return decideOrder(command, state, ids);
    case 'create-billings':
    case 'update-billing':
    case 'delete-billing':
      return decideBilling(command, state, ids);
    default: {
      const type: unknown = (command as { type?: unknown }).type;
      return new OrdersError(ORDERS_ERROR_CODES.validation, `unknown orders command ${JSON.stringify(type)}`, {
        field: 'type',
      });
    }
  }
}
