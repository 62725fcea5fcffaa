import { mergeEntity, putEntity, removeEntity } from '../shared/crud.js';
import type { OrdersStateDraft } from '../state.js';
import type { OrderEvent } from './schema.js';

/** Record changes only; the status moves with the saga's `order-status-changed` (saga/evolve.ts). */
export function evolveOrder(draft: OrdersStateDraft, event: OrderEvent): void {
  const orders = draft.write('orders');
  switch (event.type) {
    case 'order-created':
      return putEntity(orders, event.data);
    case 'order-updated':
      return mergeEntity(orders, event.data.id, event.data.changes);
    case 'order-deleted':
      return removeEntity(orders, event.data.id);
  }
}
