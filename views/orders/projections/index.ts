// Pure projections of the orders read side; the view service feeds them events and serves the queries.
export {
  LiveOrdersView,
  emptyOrdersView,
  projectOrdersEvent,
  projectOrdersEvents,
  type OrdersView,
} from './ordersView.js';
export {
  ENTITY_COLLECTIONS,
  buildReport,
  findEntity,
  listEntities,
  listNotifications,
  listUnbilledOrders,
  type Account,
  type EntityCollection,
  type EntityOf,
  type NotificationFilter,
  type OrdersReport,
} from './queries.js';
