import { z } from 'zod';
import { idSchema } from '../shared/ids.js';
import { moneySchema } from '../shared/money.js';
import { changesOf, itemsOf, nameSchema } from '../shared/schemas.js';

// ---- the entity ---------------------------------------------------------------------------------------------

export const customerFields = {
  name: nameSchema,
  // The pattern alone (no `format: email`): what is checked is what the OpenAPI document says.
  email: z.string().max(254).regex(z.regexes.email, 'Invalid email address'),
  /** What the customer can spend; orders are charged against it. */
  balance: moneySchema,
};

export const customerSchema = z.object({ id: idSchema, ...customerFields });
export type Customer = Readonly<z.output<typeof customerSchema>>;

/**
 * A customer to create: `id` may be given (`101`) or left to the id generator; `balance` defaults to 0, as the
 * OrderShop seed's customers are only `{name, email}`.
 */
export const customerDraftSchema = z.object({
  id: idSchema.optional(),
  ...customerFields,
  balance: customerFields.balance.default(0),
});
export type CustomerDraft = z.input<typeof customerDraftSchema>;

export const customerChangesSchema = changesOf(customerFields);
export type CustomerChanges = z.output<typeof customerChangesSchema>;

// ---- commands -----------------------------------------------------------------------------------------------

export const createCustomersSchema = z.object({
  type: z.literal('create-customers'),
  items: itemsOf(customerDraftSchema),
});
export const updateCustomerSchema = z.object({
  type: z.literal('update-customer'),
  id: idSchema,
  changes: customerChangesSchema,
});
export const deleteCustomerSchema = z.object({ type: z.literal('delete-customer'), id: idSchema });

export interface CreateCustomers {
  readonly type: 'create-customers';
  readonly items: CustomerDraft | readonly CustomerDraft[];
}
export interface UpdateCustomer {
  readonly type: 'update-customer';
  readonly id: string | number;
  readonly changes: z.input<typeof customerChangesSchema>;
}
export interface DeleteCustomer {
  readonly type: 'delete-customer';
  readonly id: string | number;
}
export type CustomerCommand = CreateCustomers | UpdateCustomer | DeleteCustomer;

// ---- events -------------------------------------------------------------------------------------------------

export const customerEventSchemas = {
  'customer-created': customerSchema,
  /** Only the fields that changed, merged onto the current customer (a charge in between is kept). */
  'customer-updated': z.object({ id: idSchema, changes: customerChangesSchema }),
  'customer-deleted': z.object({ id: idSchema }),
};

export type CustomerCreated = { readonly type: 'customer-created'; readonly data: Customer };
export type CustomerUpdated = {
  readonly type: 'customer-updated';
  readonly data: { readonly id: string; readonly changes: CustomerChanges };
};
export type CustomerDeleted = { readonly type: 'customer-deleted'; readonly data: { readonly id: string } };
export type CustomerEvent = CustomerCreated | CustomerUpdated | CustomerDeleted;
