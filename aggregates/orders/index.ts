// The orders domain (SPEC §7), pure: schemas, decide/evolve per entity, the order saga, notifications and the
// shop's demo data. No I/O here; the services around it publish, consume and serve.

export {
  ORDERS_ERRORS,
  ORDERS_ERROR_CODES,
  ORDERS_ERROR_HTTP_STATUS,
  OrdersError,
  isOrdersError,
  type FieldIssue,
  type OrdersErrorCode,
} from './shared/errors.js';
export { ID_PATTERN, idSchema, randomIds, type IdGenerator } from './shared/ids.js';
export { MAX_MONEY, moneySchema } from './shared/money.js';
export { MAX_ITEMS_PER_CREATE } from './shared/schemas.js';

export * from './customer/schema.js';
export * from './product/schema.js';
export * from './inventory/schema.js';
export * from './order/schema.js';
export * from './billing/schema.js';
export * from './saga/schema.js';

export { decideCustomer } from './customer/decide.js';
export { decideProduct } from './product/decide.js';
export { decideInventory } from './inventory/decide.js';
export { decideOrder } from './order/decide.js';
export { decideBilling } from './billing/decide.js';
export { unbilledOrders } from './billing/unbilled.js';

export { ordersCommandSchema, parseOrdersCommand, type OrdersCommand, type OrdersCommandType } from './commands.js';
export {
  ORDERS_EVENT_SCHEMAS,
  ORDERS_EVENT_TYPES,
  ORDERS_EVENT_VERSION,
  isOrdersEventType,
  recordedOrdersEvent,
  ordersEventKey,
  parseOrdersEvent,
  type OrdersEvent,
  type OrdersEventOf,
  type OrdersEventType,
  type RecordedOrdersEvent,
} from './events.js';
export {
  COLLECTION_NAMES,
  OrdersStateDraft,
  emptyOrdersState,
  type CollectionName,
  type OrdersCollections,
  type OrdersState,
} from './state.js';
export { decide } from './decide.js';
export { applyOrdersEvent, evolve, evolveAll, rebuildOrdersState } from './evolve.js';

export { reserveStock, type ReserveStockState } from './saga/reserveStock.js';
export { chargeCustomer, type ChargeCustomerState } from './saga/chargeCustomer.js';
export { releaseStock, type ReleaseStockState } from './saga/releaseStock.js';
export { FINAL_STATUS_BY_OUTCOME, settleOrder, type SettleOrderState, type SettlingEvent } from './saga/settleOrder.js';
export {
  ORDER_SAGA_STEPS,
  SAGA_MOVING_ENDS,
  SAGA_PARTICIPANTS,
  SAGA_START,
  SAGA_STEPS,
  runSagaStep,
  sagaOrderId,
  sagaReactions,
  sagaStepKey,
  sagaTriggers,
  type SagaEventType,
  type SagaParticipant,
  type SagaReaction,
  type SagaStepDeclaration,
  type SagaStepDefinition,
  type SagaStepName,
} from './saga/steps.js';
export { runSagaLocally, type SagaRun } from './saga/runLocally.js';
export { sagasInFlight, type SagasInFlightState } from './saga/inFlight.js';
export { recordedSagaOutcomes } from './saga/evolve.js';

export {
  CRM_KINDS,
  MESSAGE_KINDS,
  NOTIFICATION_KINDS,
  type Notification,
  type NotificationKind,
} from './notifications/notification.js';
export { notificationsFor, type NotificationDirectory } from './notifications/notify.js';

export { DEMO_ACCOUNTS, DEMO_ITEMS, decideDemoData, demoDataCommands, type DemoDataEvent } from './demo/demoData.js';
