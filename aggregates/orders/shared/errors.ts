// platform/errors.ts directly (not platform/index.ts): the pure core loads no transport or server code.
import { defineErrorCatalogue, type DomainIssue } from '../../../platform/errors.js';

/**
 * The orders error catalogue. Recognise errors by `code`, never by message. Each code has its HTTP status (400,
 * 404, 409, 422; `ORDERS_ERROR_HTTP_STATUS`); none of these is worth retrying as is: the input or the state must
 * change first. `decide` returns these errors, it never throws them.
 */
export const ORDERS_ERRORS = defineErrorCatalogue({
  name: 'OrdersError',
  prefix: 'ORD_ERR_',
  codes: {
    /** The input has a missing field, a wrong type, a negative number or an oversized array. */
    ORD_ERR_VALIDATION: { status: 400, title: 'Invalid orders input', retriable: false },
    /** Update or delete of an id that does not exist (never created, or deleted). */
    ORD_ERR_NOT_FOUND: { status: 404, title: 'No such entity', retriable: false },
    /** Create with an id that already exists, or the same id twice in one batch. */
    ORD_ERR_CONFLICT: { status: 409, title: 'Id already exists', retriable: false },
    /** A field points at an entity that does not exist (order.customer_id, inventory.product_id, billing.order_id). */
    ORD_ERR_UNKNOWN_REFERENCE: { status: 422, title: 'Unknown reference', retriable: false },
    /** An update that would move an order's status: only the order saga does (a valid body, the wrong state). */
    ORD_ERR_STATUS_OWNED_BY_SAGA: { status: 409, title: 'Status owned by the saga', retriable: false },
  },
});

export type OrdersErrorCode = (typeof ORDERS_ERRORS.codeList)[number];

/** The codes by role, for the rules that raise them. */
export const ORDERS_ERROR_CODES = Object.freeze({
  validation: 'ORD_ERR_VALIDATION',
  notFound: 'ORD_ERR_NOT_FOUND',
  conflict: 'ORD_ERR_CONFLICT',
  unknownReference: 'ORD_ERR_UNKNOWN_REFERENCE',
  statusOwnedBySaga: 'ORD_ERR_STATUS_OWNED_BY_SAGA',
} as const satisfies Record<string, OrdersErrorCode>);

export const ORDERS_ERROR_HTTP_STATUS: Readonly<Record<OrdersErrorCode, number>> = ORDERS_ERRORS.statuses;

/** One problem with one field, e.g. `{ field: 'items[0].balance', message: 'must be >= 0' }`. */
export type FieldIssue = DomainIssue;

/** `new OrdersError(code, message, { field, issues?, cause? })`: `issues` defaults to the one `field`. */
export const OrdersError = ORDERS_ERRORS.Error;
export type OrdersError = InstanceType<typeof OrdersError>;

/** True for any OrdersError (checked by code, so it also works across module copies). */
export const isOrdersError = ORDERS_ERRORS.is;

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
