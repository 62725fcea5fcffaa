/**
 * The orders error catalogue. Recognise errors by `code`, never by message. A caller maps codes to HTTP
 * statuses with ORDERS_ERROR_HTTP_STATUS (400, 404, 409, 422); none of these is worth retrying as is.
 */
export const ORDERS_ERROR_CODES = {
  /** The input has a missing field, a wrong type, a negative number or an oversized array. */
  validation: 'ORD_ERR_VALIDATION',
  /** Update or delete of an id that does not exist (never created, or deleted). */
  notFound: 'ORD_ERR_NOT_FOUND',
  /** Create with an id that already exists, or the same id twice in one batch. */
  conflict: 'ORD_ERR_CONFLICT',
  /** A field points at an entity that does not exist (order.customer_id, inventory.product_id, billing.order_id). */
  unknownReference: 'ORD_ERR_UNKNOWN_REFERENCE',
} as const;

export type OrdersErrorCode = (typeof ORDERS_ERROR_CODES)[keyof typeof ORDERS_ERROR_CODES];

export const ORDERS_ERROR_HTTP_STATUS: Readonly<Record<OrdersErrorCode, number>> = Object.freeze({
  ORD_ERR_VALIDATION: 400,
  ORD_ERR_NOT_FOUND: 404,
  ORD_ERR_CONFLICT: 409,
  ORD_ERR_UNKNOWN_REFERENCE: 422,
});

/** One problem with one field, e.g. `{ field: 'items[0].balance', message: 'must be >= 0' }`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export interface OrdersErrorOptions {
  /** The first field at fault (`''` when the whole input is wrong). */
  readonly field: string;
  /** Every problem found; the first one is the `field` above. */
  readonly issues?: readonly FieldIssue[];
  readonly cause?: unknown;
}

export class OrdersError extends Error {
  override readonly name = 'OrdersError';
  readonly code: OrdersErrorCode;
  readonly field: string;
  readonly issues: readonly FieldIssue[];
  /** Domain rejections never succeed on a plain retry: the input or the state must change first. */
  readonly retriable = false;

  constructor(code: OrdersErrorCode, message: string, options: OrdersErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.issues = Object.freeze([...(options.issues ?? [{ field: options.field, message }])]);
  }
}

/** True for any OrdersError (checked by code, so it also works across module copies). */
export function isOrdersError(err: unknown): err is OrdersError {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (Object.values(ORDERS_ERROR_CODES) as string[]).includes(code);
}

export function notFound(entity: string, id: string, field = 'id'): OrdersError {
  return new OrdersError(ORDERS_ERROR_CODES.notFound, `${entity} ${JSON.stringify(id)} does not exist`, { field });
}

export function conflict(entity: string, id: string, field: string): OrdersError {
  return new OrdersError(ORDERS_ERROR_CODES.conflict, `${entity} ${JSON.stringify(id)} already exists`, { field });
}

export function unknownReference(entity: string, id: string, field: string): OrdersError {
  return new OrdersError(
    ORDERS_ERROR_CODES.unknownReference,
    `${field} points at ${entity} ${JSON.stringify(id)}, which does not exist`,
    { field },
  );
}
