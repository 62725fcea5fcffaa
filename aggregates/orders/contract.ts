// The orders domain's published surface: entities, events and how they fold, notifications, topics, routes.
export {
  applyOrdersEvent,
  CRM_KINDS,
  MESSAGE_KINDS,
  recordedOrdersEvent,
  emptyOrdersState,
  NOTIFICATION_KINDS,
  notificationsFor,
  OrdersStateDraft,
  SAGA_PARTICIPANTS,
  unbilledOrders,
  type Customer,
  type Notification,
  type NotificationKind,
  type Order,
  type OrdersCollections,
  type OrdersState,
  type RecordedOrdersEvent,
  type SagaParticipant,
} from './index.js';
export {
  DEFAULT_ORDERS_TOPIC,
  ensureOrdersTopic,
  NOTIFICATION_SENT,
  notificationSentSchema,
  notificationsTopic,
  ordersRegistry,
} from './service/topics.js';
export { createPaths, ENTITY_ROUTES, type EntityRoute } from './service/entityRoutes.js';
export {
  ENTITY_EXAMPLES,
  entityByIdSchema,
  entityListSchema,
  notificationListSchema,
  notificationQuerySchema,
  OrdersEntitySchema,
  ordersReportSchema,
} from './service/readSchemas.js';
export { createBodySchema, OrdersIdSchema, updateBodySchema } from './service/inputSchemas.js';
