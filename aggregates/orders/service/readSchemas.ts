import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../notifications/notification.js';
import type { EntityRoute } from './entityRoutes.js';
import { notificationSentSchema } from './topics.js';

// The answers of the OrderShop reads, shared by `orders-view` (which serves them) and the gateway (which
// documents them in its OpenAPI document and forwards them unchanged). Entities stay open records: the view
// answers what the log folded, the domain's schemas check what goes in.

/** One entity as the view answers it (`id` and its fields). */
export const OrdersEntitySchema = z.record(z.string(), z.unknown());

/** An example of each collection's entity (the demo data of `POST /init-data`). */
export const ENTITY_EXAMPLES: Readonly<Record<EntityRoute['collection'], Record<string, unknown>>> = Object.freeze({
  customers: { id: '101', name: 'Anthony', email: 'anthony@example.com', balance: 1000 },
  products: { id: '201', name: 'Denon Speakers', price: 800 },
  inventory: { id: '201', product_id: '201', amount: 4 },
  orders: { id: '7f3c2a9e', customer_id: '101', product_ids: ['201', '204'], status: 'pending' },
  billings: { id: '5d1e8b40', order_id: '7f3c2a9e', done: true },
});

/** `GET /<collection>`: every entity, in creation order. */
export function entityListSchema(collection: EntityRoute['collection']) {
  return OrdersEntitySchema.array().meta({ examples: [[ENTITY_EXAMPLES[collection]]] });
}

/** `GET /<singular>/{id}`: the entity, or null when it does not exist or was deleted (as the seed answers). */
export function entityByIdSchema(collection: EntityRoute['collection']) {
  return OrdersEntitySchema.nullable().meta({ examples: [ENTITY_EXAMPLES[collection]] });
}

/** `GET /report`. */
export const ordersReportSchema = z
  .object({
    customers: z.array(OrdersEntitySchema),
    products: z.array(OrdersEntitySchema),
    inventory: z.array(OrdersEntitySchema),
    orders: z.array(OrdersEntitySchema),
    billings: z.array(OrdersEntitySchema),
    accounts: z.array(z.object({ id: z.string(), name: z.string(), balance: z.number() })),
  })
  .meta({
    examples: [
      {
        customers: [ENTITY_EXAMPLES.customers],
        products: [ENTITY_EXAMPLES.products],
        inventory: [ENTITY_EXAMPLES.inventory],
        orders: [ENTITY_EXAMPLES.orders],
        billings: [ENTITY_EXAMPLES.billings],
        accounts: [{ id: '101', name: 'Anthony', balance: 1000 }],
      },
    ],
  });

/** `GET /notifications?to=&kind=`. */
export const notificationQuerySchema = z.object({
  to: z.string().min(1).max(300).optional(),
  kind: z.enum(NOTIFICATION_KINDS).optional(),
});

/** `GET /notifications`: oldest first. */
export const notificationListSchema = z.array(notificationSentSchema).meta({
  examples: [
    [
      {
        id: 'e3b0c442:welcome',
        kind: 'welcome',
        to: 'anthony@example.com',
        subject: 'Welcome, Anthony',
        body: 'Thank you for joining the shop.',
        causedBy: 'e3b0c442',
      },
    ],
  ],
});
