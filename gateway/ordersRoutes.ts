import { z } from 'zod';
import { withExample, type RestApp } from '../restlib/index.js';
import {
  createBodySchema,
  createPaths,
  ENTITY_EXAMPLES,
  entityByIdSchema,
  entityListSchema,
  ENTITY_ROUTES,
  notificationListSchema,
  notificationQuerySchema,
  OrdersIdSchema,
  ordersReportSchema,
  updateBodySchema,
} from '../aggregates/orders/contract.js';
import { idempotencyKeyHeader } from '../platform/index.js';
import type { GatewayModule } from './module.js';
import type { Upstreams } from './upstream.js';

/** Consul names of the orders services the gateway forwards to. */
export const ORDERS_UPSTREAMS = {
  shop: 'orders-shop',
  view: 'orders-view',
} as const;

const id = OrdersIdSchema;
const headers = z.object(idempotencyKeyHeader);
const createdIds = withExample(z.array(z.string()).describe('the ids of the created entities'), ['101', '102']);
const done = withExample(z.literal(true).describe('changed (as the seed answers)'), true);
const placed = withExample(
  z.union([z.record(z.string(), z.unknown()), z.array(z.string())]).describe('the order, pending (ids for an array)'),
  ENTITY_EXAMPLES.orders,
);
const loaded = withExample(z.object({ events: z.number().int() }), { events: 13 });

/**
 * SPEC §7 routes: OrderShop CRUD and the shop routes, writes to `orders-shop`, reads to `orders-view` (with this
 * gateway's write watermark, so a client reads its own writes). Bodies and ids are checked here with the domain's
 * rules (400 REST_ERR_VALIDATION) and the checked body is what is forwarded; the domain's problem+json answers
 * (404, 409, 422) pass through.
 */
export function ordersGatewayRoutes(app: RestApp, up: Upstreams): void {
  const tags = ['orders'];
  for (const route of ENTITY_ROUTES) {
    for (const path of createPaths(route)) {
      app.post(
        path,
        {
          schema: {
            summary: `Create ${route.collection} -> their ids`,
            tags,
            headers,
            body: createBodySchema(route.collection),
            response: { 200: createdIds },
          },
        },
        (req, reply) => up.write(reply, ORDERS_UPSTREAMS.shop, path, req.body, req),
      );
    }
    app.put(
      `/${route.singular}/:id`,
      {
        schema: {
          summary: `Change one ${route.singular}`,
          tags,
          headers,
          params: id,
          body: updateBodySchema(route.collection),
          response: { 200: done },
        },
      },
      (req, reply) => up.forward(reply, ORDERS_UPSTREAMS.shop, 'PUT', req.url, req.body, req),
    );
    app.delete(
      `/${route.singular}/:id`,
      { schema: { summary: `Delete one ${route.singular}`, tags, headers, params: id, response: { 200: done } } },
      (req, reply) => up.forward(reply, ORDERS_UPSTREAMS.shop, 'DELETE', req.url, undefined, req),
    );
    app.get(
      `/${route.collection}`,
      { schema: { summary: `Every ${route.singular}`, tags, response: { 200: entityListSchema(route.collection) } } },
      (req, reply) => up.read(reply, ORDERS_UPSTREAMS.view, req.url),
    );
    app.get(
      `/${route.singular}/:id`,
      {
        schema: {
          summary: `One ${route.singular} by id; null when there is none`,
          tags,
          params: id,
          response: { 200: entityByIdSchema(route.collection) },
        },
      },
      (req, reply) => up.read(reply, ORDERS_UPSTREAMS.view, req.url),
    );
  }
  app.get(
    '/orders/unbilled',
    { schema: { summary: 'Orders without a done billing', tags, response: { 200: entityListSchema('orders') } } },
    (req, reply) => up.read(reply, ORDERS_UPSTREAMS.view, req.url),
  );
  app.get(
    '/report',
    { schema: { summary: 'The shop report', tags: ['shop'], response: { 200: ordersReportSchema } } },
    (req, reply) => up.read(reply, ORDERS_UPSTREAMS.view, req.url),
  );
  app.get(
    '/notifications',
    {
      schema: {
        summary: 'Notifications sent, oldest first',
        tags,
        querystring: notificationQuerySchema,
        response: { 200: notificationListSchema },
      },
    },
    (req, reply) => up.read(reply, ORDERS_UPSTREAMS.view, req.url),
  );
  app.post(
    '/order',
    {
      schema: {
        summary: 'Place an order {product_ids, customer_id} -> the order, pending',
        tags: ['shop'],
        headers,
        body: createBodySchema('orders'),
        response: { 200: placed },
      },
    },
    (req, reply) => up.write(reply, ORDERS_UPSTREAMS.shop, '/order', req.body, req),
  );
  app.post(
    '/init-data',
    {
      config: { access: 'admin' },
      schema: { summary: 'Load the demo data', tags: ['shop'], headers, response: { 200: loaded } },
    },
    (req, reply) => up.write(reply, ORDERS_UPSTREAMS.shop, '/init-data', {}, req),
  );
}

export const ORDERS_GATEWAY: GatewayModule = {
  domain: 'orders',
  summary: 'The OrderShop: customers, products, inventory, orders, billings and the order saga (SPEC §7)',
  upstreams: Object.values(ORDERS_UPSTREAMS),
  entries: [
    { href: '/report', text: 'The shop report' },
    ...ENTITY_ROUTES.map((r) => ({ href: `/${r.collection}`, text: `Every ${r.singular}` })),
    { href: '/orders/unbilled', text: 'Orders without a done billing' },
    { href: '/notifications', text: 'Notifications sent' },
  ],
  routes: ordersGatewayRoutes,
};
