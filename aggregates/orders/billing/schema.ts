import { z } from 'zod';
import { idSchema } from '../shared/ids.js';
import { changesOf, itemsOf } from '../shared/schemas.js';

// ---- the entity ---------------------------------------------------------------------------------------------

export const billingFields = {
  /** The order billed; must exist when the billing is created or moved. */
  order_id: idSchema,
  /** `false`: payment requested (transfer request); `true`: paid (receipt). Only done billings bill an order. */
  done: z.boolean(),
};

export const billingSchema = z.object({ id: idSchema, ...billingFields });
export type Billing = Readonly<z.output<typeof billingSchema>>;

/** A billing to create; `done` defaults to true: the OrderShop seed's billing is the record of a payment. */
export const billingDraftSchema = z.object({
  id: idSchema.optional(),
  ...billingFields,
  done: billingFields.done.default(true),
});
export type BillingDraft = z.input<typeof billingDraftSchema>;

export const billingChangesSchema = changesOf(billingFields);
export type BillingChanges = z.output<typeof billingChangesSchema>;

// ---- commands -----------------------------------------------------------------------------------------------

export const createBillingsSchema = z.object({
  type: z.literal('create-billings'),
  items: itemsOf(billingDraftSchema),
});
export const updateBillingSchema = z.object({
  type: z.literal('update-billing'),
  id: idSchema,
  changes: billingChangesSchema,
});
export const deleteBillingSchema = z.object({ type: z.literal('delete-billing'), id: idSchema });

export interface CreateBillings {
  readonly type: 'create-billings';
  readonly items: BillingDraft | readonly BillingDraft[];
}
export interface UpdateBilling {
  readonly type: 'update-billing';
  readonly id: string | number;
  readonly changes: z.input<typeof billingChangesSchema>;
}
export interface DeleteBilling {
  readonly type: 'delete-billing';
  readonly id: string | number;
}
export type BillingCommand = CreateBillings | UpdateBilling | DeleteBilling;

// ---- events -------------------------------------------------------------------------------------------------

export const billingEventSchemas = {
  'billing-created': billingSchema,
  'billing-updated': z.object({ id: idSchema, changes: billingChangesSchema }),
  'billing-deleted': z.object({ id: idSchema }),
};

export type BillingCreated = { readonly type: 'billing-created'; readonly data: Billing };
export type BillingUpdated = {
  readonly type: 'billing-updated';
  readonly data: { readonly id: string; readonly changes: BillingChanges };
};
export type BillingDeleted = { readonly type: 'billing-deleted'; readonly data: { readonly id: string } };
export type BillingEvent = BillingCreated | BillingUpdated | BillingDeleted;
