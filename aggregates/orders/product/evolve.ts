import { mergeEntity, putEntity, removeEntity } from '../shared/crud.js';
import type { OrdersStateDraft } from '../state.js';
import type { ProductEvent } from './schema.js';

export function evolveProduct(draft: OrdersStateDraft, event: ProductEvent): void {
  const products = draft.write('products');
  switch (event.type) {
    case 'product-created':
      return putEntity(products, event.data);
    case 'product-updated':
      return mergeEntity(products, event.data.id, event.data.changes);
    case 'product-deleted':
      return removeEntity(products, event.data.id);
  }
}
