import { z } from 'zod';
import { idSchema } from '../shared/ids.js';
import { moneySchema } from '../shared/money.js';
import type { FinalOrderStatus } from '../order/schema.js';

/** Units of one product taken from one inventory row for one order. */
export const reservedItemSchema = z.object({
  inventory_id: idSchema,
  product_id: idSchema,
  quantity: z.number().int().positive(),
});
export type ReservedItem = Readonly<z.output<typeof reservedItemSchema>>;

/** A product the order asked for more of than the stock holds (`available` is 0 for unknown products). */
export const missingStockSchema = z.object({
  product_id: idSchema,
  requested: z.number().int().positive(),
  available: z.number().int().nonnegative(),
});
export type MissingStock = Readonly<z.output<typeof missingStockSchema>>;

export const CHARGE_FAILURE_REASONS = ['insufficient-fund', 'unknown-customer'] as const;
export type ChargeFailureReason = (typeof CHARGE_FAILURE_REASONS)[number];

const totalSchema = z.number().nonnegative().finite();

export const sagaEventSchemas = {
  /** Step 1 succeeded: every unit is taken off the inventory rows listed; `total` prices them at reservation time. */
  'stock-reserved': z.object({
    order_id: idSchema,
    customer_id: idSchema,
    items: z.array(reservedItemSchema).min(1),
    total: totalSchema,
  }),
  /** Step 1 failed: nothing was taken. */
  'stock-reservation-failed': z.object({
    order_id: idSchema,
    customer_id: idSchema,
    missing: z.array(missingStockSchema).min(1),
  }),
  /** Step 2 succeeded: `balance` is the customer's balance after the charge. */
  'customer-charged': z.object({
    order_id: idSchema,
    customer_id: idSchema,
    amount: totalSchema,
    balance: moneySchema,
  }),
  /** Step 2 failed: nothing was charged; `balance` is null when the customer no longer exists. */
  'charge-failed': z.object({
    order_id: idSchema,
    customer_id: idSchema,
    amount: totalSchema,
    balance: moneySchema.nullable(),
    reason: z.enum(CHARGE_FAILURE_REASONS),
  }),
  /** Compensation of step 1 after a failed charge: the listed units go back on their inventory rows. */
  'stock-released': z.object({
    order_id: idSchema,
    items: z.array(reservedItemSchema).min(1),
  }),
  /** The saga's end: the order leaves `pending` for its final status. */
  'order-status-changed': z.object({
    id: idSchema,
    customer_id: idSchema,
    status: z.enum(['out-of-stock', 'insufficient-fund', 'to-be-shipped']),
  }),
};

type Ids = { readonly order_id: string; readonly customer_id: string };

export type StockReserved = {
  readonly type: 'stock-reserved';
  readonly data: Ids & { readonly items: readonly ReservedItem[]; readonly total: number };
};
export type StockReservationFailed = {
  readonly type: 'stock-reservation-failed';
  readonly data: Ids & { readonly missing: readonly MissingStock[] };
};
export type CustomerCharged = {
  readonly type: 'customer-charged';
  readonly data: Ids & { readonly amount: number; readonly balance: number };
};
export type ChargeFailed = {
  readonly type: 'charge-failed';
  readonly data: Ids & {
    readonly amount: number;
    readonly balance: number | null;
    readonly reason: ChargeFailureReason;
  };
};
export type StockReleased = {
  readonly type: 'stock-released';
  readonly data: { readonly order_id: string; readonly items: readonly ReservedItem[] };
};
export type OrderStatusChanged = {
  readonly type: 'order-status-changed';
  readonly data: { readonly id: string; readonly customer_id: string; readonly status: FinalOrderStatus };
};
export type SagaEvent =
  StockReserved | StockReservationFailed | CustomerCharged | ChargeFailed | StockReleased | OrderStatusChanged;

// ---- the markers each step leaves in state (its idempotency record, keyed by order id) ------------------------

/**
 * An order's saga has started (`order-created`). Kept when the order is deleted: the steps run on all the same
 * (stock is reserved and charged for it), so its stock and money still move.
 */
export interface SagaStart {
  readonly order_id: string;
  readonly customer_id: string;
}

/** What the reserve-stock step did for one order; `released` once the compensation gave the units back. */
export interface Reservation {
  readonly order_id: string;
  readonly customer_id: string;
  readonly status: 'reserved' | 'failed' | 'released';
  readonly items: readonly ReservedItem[];
  readonly total: number;
}

/** What the charge-customer step did for one order. */
export interface Charge {
  readonly order_id: string;
  readonly customer_id: string;
  readonly status: 'charged' | 'failed';
  readonly amount: number;
}
