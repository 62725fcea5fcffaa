import { z } from 'zod';
import { idSchema } from '../shared/ids.js';
import { moneySchema } from '../shared/money.js';
import { changesOf, itemsOf, nameSchema } from '../shared/schemas.js';

// ---- the entity ---------------------------------------------------------------------------------------------

export const productFields = { name: nameSchema, price: moneySchema };

export const productSchema = z.object({ id: idSchema, ...productFields });
export type Product = Readonly<z.output<typeof productSchema>>;

export const productDraftSchema = z.object({ id: idSchema.optional(), ...productFields });
export type ProductDraft = z.input<typeof productDraftSchema>;

export const productChangesSchema = changesOf(productFields);
export type ProductChanges = z.output<typeof productChangesSchema>;

// ---- commands -----------------------------------------------------------------------------------------------

export const createProductsSchema = z.object({
  type: z.literal('create-products'),
  items: itemsOf(productDraftSchema),
});
export const updateProductSchema = z.object({
  type: z.literal('update-product'),
  id: idSchema,
  changes: productChangesSchema,
});
export const deleteProductSchema = z.object({ type: z.literal('delete-product'), id: idSchema });

export interface CreateProducts {
  readonly type: 'create-products';
  readonly items: ProductDraft | readonly ProductDraft[];
}
export interface UpdateProduct {
  readonly type: 'update-product';
  readonly id: string | number;
  readonly changes: z.input<typeof productChangesSchema>;
}
export interface DeleteProduct {
  readonly type: 'delete-product';
  readonly id: string | number;
}
export type ProductCommand = CreateProducts | UpdateProduct | DeleteProduct;

// ---- events -------------------------------------------------------------------------------------------------

export const productEventSchemas = {
  'product-created': productSchema,
  'product-updated': z.object({ id: idSchema, changes: productChangesSchema }),
  'product-deleted': z.object({ id: idSchema }),
};

export type ProductCreated = { readonly type: 'product-created'; readonly data: Product };
export type ProductUpdated = {
  readonly type: 'product-updated';
  readonly data: { readonly id: string; readonly changes: ProductChanges };
};
export type ProductDeleted = { readonly type: 'product-deleted'; readonly data: { readonly id: string } };
export type ProductEvent = ProductCreated | ProductUpdated | ProductDeleted;
