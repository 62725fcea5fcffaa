import { z } from 'zod';
import {
  createBillingsSchema,
  deleteBillingSchema,
  updateBillingSchema,
  type BillingCommand,
} from './billing/schema.js';
import {
  createCustomersSchema,
  deleteCustomerSchema,
  updateCustomerSchema,
  type CustomerCommand,
} from './customer/schema.js';
import {
  createInventorySchema,
  deleteInventorySchema,
  updateInventorySchema,
  type InventoryCommand,
} from './inventory/schema.js';
import { createOrdersSchema, deleteOrderSchema, updateOrderSchema, type OrderCommand } from './order/schema.js';
import {
  createProductsSchema,
  deleteProductSchema,
  updateProductSchema,
  type ProductCommand,
} from './product/schema.js';
import type { OrdersError } from './shared/errors.js';
import { parseInput } from './shared/validation.js';

/** Every command the orders domain decides on: create (one or many), update and delete per entity. */
export type OrdersCommand = CustomerCommand | ProductCommand | InventoryCommand | OrderCommand | BillingCommand;
export type OrdersCommandType = OrdersCommand['type'];

export const ordersCommandSchema = z.discriminatedUnion('type', [
  createCustomersSchema,
  updateCustomerSchema,
  deleteCustomerSchema,
  createProductsSchema,
  updateProductSchema,
  deleteProductSchema,
  createInventorySchema,
  updateInventorySchema,
  deleteInventorySchema,
  createOrdersSchema,
  updateOrderSchema,
  deleteOrderSchema,
  createBillingsSchema,
  updateBillingSchema,
  deleteBillingSchema,
]);

/** Validates an untyped command (e.g. built from an HTTP body); returns ORD_ERR_VALIDATION naming the field. */
export function parseOrdersCommand(raw: unknown): OrdersCommand | OrdersError {
  return parseInput(ordersCommandSchema, raw, 'command');
}
