import { z } from 'zod';
import { billingDraftSchema, billingFields } from '../billing/schema.js';
import { customerDraftSchema, customerFields } from '../customer/schema.js';
import { inventoryDraftSchema, inventoryFields } from '../inventory/schema.js';
import { orderDraftSchema, orderFields, orderStatusSchema } from '../order/schema.js';
import { productDraftSchema, productFields } from '../product/schema.js';
import { idSchema } from '../shared/ids.js';
import { MAX_ITEMS_PER_CREATE } from '../shared/schemas.js';
import type { EntityRoute } from './entityRoutes.js';
import { ENTITY_EXAMPLES } from './readSchemas.js';

// The OrderShop bodies as HTTP schemas: the same fields and rules as the commands (parseOrdersCommand), shaped so
// JSON Schema can say them, for the gateway to validate (REST_ERR_VALIDATION) and document. `orders-shop` still
// checks every command itself.

const drafts = {
  customers: { draft: customerDraftSchema, fields: customerFields },
  products: { draft: productDraftSchema, fields: productFields },
  inventory: { draft: inventoryDraftSchema, fields: inventoryFields },
  orders: { draft: orderDraftSchema, fields: { ...orderFields, status: orderStatusSchema } },
  billings: { draft: billingDraftSchema, fields: billingFields },
} as const;

/** An entity id in a path (`/customer/{id}`): what the commands take. */
export const OrdersIdSchema = z.object({ id: idSchema });

/** `POST /<collection>`: one entity or an array of 1..MAX_ITEMS_PER_CREATE. */
export function createBodySchema(collection: EntityRoute['collection']) {
  const { draft } = drafts[collection];
  const { id: _id, ...example } = ENTITY_EXAMPLES[collection];
  return z
    .union([draft, z.array(draft).min(1).max(MAX_ITEMS_PER_CREATE)])
    .meta({ examples: [collection === 'orders' ? { customer_id: '101', product_ids: ['201'] } : example] });
}

/**
 * `PUT /<singular>/{id}`: the fields to change, at least one. `id` may come along (the seed client sends the whole
 * entity back) and is ignored; other unknown fields are refused here (the command would drop them silently).
 */
export function updateBodySchema(collection: EntityRoute['collection']) {
  const { fields } = drafts[collection];
  const names = Object.keys(fields);
  const example = ENTITY_EXAMPLES[collection];
  return z
    .strictObject({ id: idSchema.optional(), ...fields })
    .partial()
    .refine((changes) => names.some((name) => (changes as Record<string, unknown>)[name] !== undefined), {
      message: `nothing to change: give at least one of ${names.join(', ')}`,
    })
    .meta({
      anyOf: names.map((name) => ({ required: [name] })),
      examples: [{ [names[0]!]: example[names[0]!] }],
    });
}
