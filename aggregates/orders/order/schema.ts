import { z } from 'zod';
import { idSchema } from '../shared/ids.js';
import { changesOf, itemsOf } from '../shared/schemas.js';

// ---- the entity ---------------------------------------------------------------------------------------------

export const MAX_PRODUCTS_PER_ORDER = 100;

/** `pending` until the order saga ends it in one of the three final statuses. */
export const ORDER_STATUSES = ['pending', 'out-of-stock', 'insufficient-fund', 'to-be-shipped'] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.output<typeof orderStatusSchema>;
export type FinalOrderStatus = Exclude<OrderStatus, 'pending'>;

/** Product ids as ordered; a repeated id means that many units. Unknown ids are allowed (they end out-of-stock). */
export const productIdsSchema = z
  .array(idSchema)
  .min(1, 'an order needs at least one product')
  .max(MAX_PRODUCTS_PER_ORDER, `an order holds at most ${MAX_PRODUCTS_PER_ORDER} products`);

export const orderFields = {
  /** The customer who pays; must exist when the order is placed. */
  customer_id: idSchema,
  product_ids: productIdsSchema,
};

export const orderSchema = z.object({
  id: idSchema,
  ...orderFields,
  status: orderStatusSchema,
});
export type Order = Readonly<Omit<z.output<typeof orderSchema>, 'product_ids'> & { product_ids: readonly string[] }>;

/** A new order. `status` may be given but only as `pending`: the saga owns the status. */
export const orderDraftSchema = z.object({
  id: idSchema.optional(),
  ...orderFields,
  status: z.literal('pending', { error: 'new orders are always pending' }).optional(),
});
export type OrderDraft = z.input<typeof orderDraftSchema>;

/**
 * What an update may change. `status` is accepted so a client can send back the order it read, but it must
 * equal the current status (decide rejects any other value: only the saga moves the status).
 */
export const orderChangesSchema = changesOf({ ...orderFields, status: orderStatusSchema });
export type OrderChanges = z.output<typeof orderChangesSchema>;

// ---- commands -----------------------------------------------------------------------------------------------

export const createOrdersSchema = z.object({ type: z.literal('create-orders'), items: itemsOf(orderDraftSchema) });
export const updateOrderSchema = z.object({
  type: z.literal('update-order'),
  id: idSchema,
  changes: orderChangesSchema,
});
export const deleteOrderSchema = z.object({ type: z.literal('delete-order'), id: idSchema });

export interface CreateOrders {
  readonly type: 'create-orders';
  readonly items: OrderDraft | readonly OrderDraft[];
}
export interface UpdateOrder {
  readonly type: 'update-order';
  readonly id: string | number;
  readonly changes: z.input<typeof orderChangesSchema>;
}
export interface DeleteOrder {
  readonly type: 'delete-order';
  readonly id: string | number;
}
export type OrderCommand = CreateOrders | UpdateOrder | DeleteOrder;

// ---- events -------------------------------------------------------------------------------------------------

/** What an `order-updated` event may carry: never the status (that travels in `order-status-changed`). */
export const orderRecordChangesSchema = changesOf(orderFields);
export type OrderRecordChanges = z.output<typeof orderRecordChangesSchema>;

export const orderEventSchemas = {
  /** Always `status: 'pending'`; this event starts the order saga. */
  'order-created': orderSchema.extend({ status: z.literal('pending') }),
  'order-updated': z.object({ id: idSchema, changes: orderRecordChangesSchema }),
  'order-deleted': z.object({ id: idSchema }),
};

export type OrderCreated = {
  readonly type: 'order-created';
  readonly data: Order & { readonly status: 'pending' };
};
export type OrderUpdated = {
  readonly type: 'order-updated';
  readonly data: {
    readonly id: string;
    readonly changes: Readonly<{ customer_id?: string; product_ids?: readonly string[] }>;
  };
};
export type OrderDeleted = { readonly type: 'order-deleted'; readonly data: { readonly id: string } };
export type OrderEvent = OrderCreated | OrderUpdated | OrderDeleted;
