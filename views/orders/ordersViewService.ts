import { z } from 'zod';
import { recordedOrdersEvent, type Notification } from '../../aggregates/orders/contract.js';
import { ENTITY_ROUTES } from '../../aggregates/orders/contract.js';
import {
  ensureOrdersTopic,
  entityByIdSchema,
  entityListSchema,
  notificationListSchema,
  notificationQuerySchema,
  NOTIFICATION_SENT,
  ordersReportSchema,
  notificationSentSchema,
  notificationsTopic,
  ordersRegistry,
} from '../../aggregates/orders/contract.js';
import { groupSchema, identitySchema, topicNameSchema, validOptions } from '../../platform/index.js';
import {
  readYourWrites,
  startReadModel,
  type ComponentIdentity,
  type PlatformDeps,
  type ServiceComponent,
} from '../../platform/index.js';
import {
  buildReport,
  findEntity,
  listEntities,
  listNotifications,
  listUnbilledOrders,
  LiveOrdersView,
  type OrdersView,
} from './projections/index.js';

export interface OrdersViewOptions {
  identity: ComponentIdentity;
  /** The orders topic; the notifications the notifiers sent are read from `<topic>.notifications`. */
  topic: string;
  /** Prefix of the replay group (`<group>-<instance id>`: one member per group, as replay requires). */
  group: string;
}

const OptionsSchema = z.object({ identity: identitySchema, topic: topicNameSchema, group: groupSchema });

/**
 * `orders-view`: every OrderShop read (lists, by id, unbilled orders, the report) and the notifications sent
 * (`GET /notifications`), rebuilt from the log at every start with the domain's own evolve, so a deleted entity
 * stays deleted. Reads honour `bookshelf-after` (read-your-writes).
 */
export async function ordersViewService(deps: PlatformDeps, options: OrdersViewOptions): Promise<ServiceComponent> {
  const opts = validOptions(OptionsSchema, options, 'orders-view');
  const log = deps.log.child({ component: 'orders-view', topic: opts.topic });
  const sentTopic = notificationsTopic(opts.topic);
  await ensureOrdersTopic(deps.bus, opts.topic);
  let live = new LiveOrdersView();
  const sent = new Map<string, Notification>();
  const model = await startReadModel(deps.bus, {
    topics: [opts.topic, sentTopic],
    group: `${opts.group}-${opts.identity.id}`,
    registry: ordersRegistry(),
    apply: (envelope) => {
      if (envelope.type === NOTIFICATION_SENT) {
        const parsed = notificationSentSchema.safeParse(envelope.data);
        if (!parsed.success) return false;
        if (!sent.has(parsed.data.id)) sent.set(parsed.data.id, Object.freeze(parsed.data));
        return true;
      }
      const event = recordedOrdersEvent(envelope);
      if (event === undefined) return false;
      live.apply(event);
      return true;
    },
    reset: () => {
      live = new LiveOrdersView();
      sent.clear();
    },
    log,
  });
  const view = (): OrdersView => ({ state: live.view.state, notifications: sent });

  return {
    identity: opts.identity,
    description:
      'OrderShop reads: customers, products, inventory, orders, billings, unbilled orders, report, notifications',
    async routes(app) {
      await app.register(readYourWrites, { catchUp: (token) => model.catchUp(token) });
      for (const route of ENTITY_ROUTES) {
        app.get(
          `/${route.collection}`,
          {
            schema: {
              summary: `Every ${route.singular}, in creation order`,
              tags: ['orders'],
              response: { 200: entityListSchema(route.collection) },
            },
          },
          () => {
            return listEntities(view(), route.collection);
          },
        );
        app.get(
          `/${route.singular}/:id`,
          {
            schema: {
              summary: `One ${route.singular} by id; null when it does not exist or was deleted (as the seed answers)`,
              tags: ['orders'],
              params: z.object({ id: z.string().min(1).max(200) }),
              response: { 200: entityByIdSchema(route.collection) },
            },
          },
          async (req) => {
            return findEntity(view(), route.collection, req.params.id) ?? null;
          },
        );
      }
      app.get(
        '/orders/unbilled',
        {
          schema: {
            summary: 'Orders without a done billing',
            tags: ['orders'],
            response: { 200: entityListSchema('orders') },
          },
        },
        () => {
          return listUnbilledOrders(view());
        },
      );
      app.get(
        '/report',
        {
          schema: {
            summary: 'customers, products, inventory, orders, billings and accounts',
            tags: ['shop'],
            response: { 200: ordersReportSchema },
          },
        },
        () => {
          return buildReport(view());
        },
      );
      app.get(
        '/notifications',
        {
          schema: {
            summary: 'Notifications sent (welcome, good-bye, thank-you, billing, saga), oldest first',
            tags: ['orders'],
            querystring: notificationQuerySchema,
            response: { 200: notificationListSchema },
          },
        },
        async (req) => {
          const { to, kind } = req.query;
          return listNotifications(view(), { ...(to ? { to } : {}), ...(kind ? { kind } : {}) });
        },
      );
    },
    readiness: () => model.readiness(),
    failed: model.failed,
    stop: () => model.stop(),
  };
}
