import { mergeEntity, putEntity, removeEntity } from '../shared/crud.js';
import type { OrdersStateDraft } from '../state.js';
import type { BillingEvent } from './schema.js';

export function evolveBilling(draft: OrdersStateDraft, event: BillingEvent): void {
  const billings = draft.write('billings');
  switch (event.type) {
    case 'billing-created':
      return putEntity(billings, event.data);
    case 'billing-updated':
      return mergeEntity(billings, event.data.id, event.data.changes);
    case 'billing-deleted':
      return removeEntity(billings, event.data.id);
  }
}
