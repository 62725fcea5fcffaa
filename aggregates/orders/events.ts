import type { z } from 'zod';
import type { Envelope } from '../../eventlib/index.js';
import { billingEventSchemas, type BillingEvent } from './billing/schema.js';
import { customerEventSchemas, type CustomerEvent } from './customer/schema.js';
import { inventoryEventSchemas, type InventoryEvent } from './inventory/schema.js';
import { orderEventSchemas, type OrderEvent } from './order/schema.js';
import { productEventSchemas, type ProductEvent } from './product/schema.js';
import { sagaEventSchemas, type SagaEvent } from './saga/schema.js';
import { sagaOrderId } from './saga/steps.js';
import { ORDERS_ERROR_CODES, OrdersError, isOrdersError } from './shared/errors.js';
import { parseInput } from './shared/validation.js';

/** Every orders event: the entities' CRUD events and the order saga's events. */
export type OrdersEvent = CustomerEvent | ProductEvent | InventoryEvent | OrderEvent | BillingEvent | SagaEvent;
export type OrdersEventType = OrdersEvent['type'];
export type OrdersEventOf<T extends OrdersEventType> = Extract<OrdersEvent, { type: T }>;

/** An event as read back from the log: the domain event plus the envelope's `id` (used as `causedBy`). */
export type RecordedOrdersEvent = OrdersEvent & { readonly id: string };

/** The schema version of every orders event type (register them with the event bus at this version). */
export const ORDERS_EVENT_VERSION = 1;

/** Zod schema of the `data` of each event type, for the event-type registry and for `parseOrdersEvent`. */
export const ORDERS_EVENT_SCHEMAS = Object.freeze({
  ...customerEventSchemas,
  ...productEventSchemas,
  ...inventoryEventSchemas,
  ...orderEventSchemas,
  ...billingEventSchemas,
  ...sagaEventSchemas,
});

export const ORDERS_EVENT_TYPES = Object.freeze(Object.keys(ORDERS_EVENT_SCHEMAS) as OrdersEventType[]);

// Compile-time proof that each schema parses into the declared event data and that no schema is left over;
// a mismatch fails `tsc` naming the event type.
type SchemaOf<T extends OrdersEventType> = (typeof ORDERS_EVENT_SCHEMAS)[T];
type Mismatched = {
  [T in OrdersEventType]: z.output<SchemaOf<T>> extends OrdersEventOf<T>['data'] ? never : T;
}[OrdersEventType];
type Unlisted = Exclude<keyof typeof ORDERS_EVENT_SCHEMAS, OrdersEventType>;
type NoneOf<T> = [T] extends [never] ? true : T;
true satisfies NoneOf<Mismatched>;
true satisfies NoneOf<Unlisted>;

/** The domain event of an envelope on the orders topic, or undefined for other types. */
export function recordedOrdersEvent(envelope: Envelope): RecordedOrdersEvent | undefined {
  if (!isOrdersEventType(envelope.type)) return undefined;
  return { id: envelope.id, type: envelope.type, data: envelope.data } as RecordedOrdersEvent;
}

export function isOrdersEventType(type: string): type is OrdersEventType {
  return Object.hasOwn(ORDERS_EVENT_SCHEMAS, type);
}

/**
 * Checks `{ type, data }` from the wire: a known type with valid data comes back typed (ids normalised to
 * strings); an unknown type or bad data comes back as ORD_ERR_VALIDATION (field `type`, or `data.<field>`).
 */
export function parseOrdersEvent(raw: { readonly type: string; readonly data: unknown }): OrdersEvent | OrdersError {
  const { type } = raw;
  if (!isOrdersEventType(type)) {
    return new OrdersError(ORDERS_ERROR_CODES.validation, `unknown orders event type ${JSON.stringify(type)}`, {
      field: 'type',
    });
  }
  const schema: z.ZodType = ORDERS_EVENT_SCHEMAS[type];
  const data: unknown = parseInput(schema, raw.data, `${type} data`);
  return isOrdersError(data) ? data : ({ type, data } as OrdersEvent);
}

/**
 * The partition key of an event: the entity id for CRUD events, the order id for saga events. Per-key order is
 * what Kafka keeps; see README.md for why the orders topic should still have one partition.
 */
export function ordersEventKey(event: OrdersEvent): string {
  // Saga events are keyed by their order (the one list of them lives in sagaOrderId); every other event has an id.
  return sagaOrderId(event) ?? (event.data as { id: string }).id;
}
