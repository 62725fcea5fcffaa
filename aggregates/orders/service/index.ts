// The orders services (issue 7): the OrderShop command side, the saga participants and the notifiers, plus what
// the view and the gateway share with them. The pure domain is `../index.ts`.
export { ordersShopService, type OrdersShopOptions } from './shopService.js';
export { ordersSagaService, SAGA_PARTICIPANTS, type OrdersSagaOptions } from './sagaService.js';
export { notifierService, CRM_KINDS, MESSAGE_KINDS, type NotifierOptions } from './notifierService.js';
export {
  recordedOrdersEvent,
  startOrdersStateModel,
  type OrdersStateModel,
  type OrdersStateModelOptions,
} from './ordersStateModel.js';
export { REACTOR_RETRY, startReactor, type Reactor, type ReactorOptions, type ReactionOutput } from './reactor.js';
export { createPaths, ENTITY_ROUTES, type EntityRoute } from './entityRoutes.js';
export {
  DEFAULT_ORDERS_TOPIC,
  NOTIFICATION_SENT,
  ensureOrdersTopic,
  notificationSentSchema,
  notificationsTopic,
  ordersRegistry,
} from './topics.js';
