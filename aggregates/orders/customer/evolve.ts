import { mergeEntity, putEntity, removeEntity } from '../shared/crud.js';
import type { OrdersStateDraft } from '../state.js';
import type { CustomerEvent } from './schema.js';

export function evolveCustomer(draft: OrdersStateDraft, event: CustomerEvent): void {
  const customers = draft.write('customers');
  switch (event.type) {
    case 'customer-created':
      return putEntity(customers, event.data);
    case 'customer-updated':
      return mergeEntity(customers, event.data.id, event.data.changes);
    case 'customer-deleted':
      return removeEntity(customers, event.data.id);
  }
}
