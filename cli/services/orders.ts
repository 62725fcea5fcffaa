import { z } from 'zod';
import { ordersShopService } from '../../aggregates/orders/services.js';
import { CRM_KINDS, MESSAGE_KINDS } from '../../aggregates/orders/contract.js';
import { notifierService } from '../../aggregates/orders/services.js';
import { SAGA_PARTICIPANTS } from '../../aggregates/orders/contract.js';
import { ordersSagaService } from '../../aggregates/orders/services.js';
import { DEFAULT_ORDERS_TOPIC } from '../../aggregates/orders/contract.js';
import { type SagaParticipant } from '../../aggregates/orders/contract.js';
import { ordersViewService } from '../../views/orders/services.js';
import { identityOf, serviceEntry } from './catalog.js';

/**
 * Every orders service reads and writes one topic/stream: `--orders-topic`, else `<--topic>.orders` (so
 * `bookshelf up --topic demo` keeps the orders beside the books, in `demo.orders`).
 */
const ordersTopic = {
  ordersTopic: {
    flag: '--orders-topic <topic>',
    description: `the orders topic (Kafka, created with one partition) or stream (Redis); default <topic>.${DEFAULT_ORDERS_TOPIC}`,
    env: ['BOOKSHELF_ORDERS_TOPIC'],
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be 1-200 letters, digits, ".", "_" or "-"'),
  },
};

const topicOf = (c: { ordersTopic: string | undefined; topic: string }) =>
  c.ordersTopic ?? `${c.topic}.${DEFAULT_ORDERS_TOPIC}`;

const splitList = (value: unknown): unknown =>
  typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;

const participantsSchema = z.preprocess(
  splitList,
  z.array(z.enum(SAGA_PARTICIPANTS as [SagaParticipant, ...SagaParticipant[]])).min(1),
);

/** The orders domain (SPEC §7): the OrderShop command side, the saga, the views and the notifiers. */
export const ORDERS_SERVICES = [
  serviceEntry({
    command: ['orders', 'shop'],
    spec: {
      program: 'bookshelf orders shop',
      description:
        'orders-shop: OrderShop writes (customers, products, inventory, orders, billings, /order, /init-data)',
      defaults: { name: 'orders-shop', id: 'orders-shop1', tags: ['orders', 'shop'], port: 8091 },
      options: ordersTopic,
    },
    create: (deps, c) => ordersShopService(deps, { identity: identityOf(c), topic: topicOf(c), group: c.group }),
  }),
  serviceEntry({
    command: ['orders', 'saga'],
    spec: {
      program: 'bookshelf orders saga',
      description: 'orders-saga: the order saga participants (inventory, accounts, orders)',
      defaults: { name: 'orders-saga', id: 'orders-saga1', tags: ['orders', 'saga'], port: 8092 },
      options: {
        ...ordersTopic,
        participants: {
          flag: '--participants <names...>',
          description: 'which participants this process runs: inventory, accounts, orders',
          env: ['BOOKSHELF_SAGA_PARTICIPANTS'],
          schema: participantsSchema,
          default: [...SAGA_PARTICIPANTS],
        },
      },
    },
    create: (deps, c) =>
      ordersSagaService(deps, {
        identity: identityOf(c),
        topic: topicOf(c),
        group: c.group,
        participants: c.participants,
      }),
  }),
  serviceEntry({
    command: ['orders', 'view'],
    spec: {
      program: 'bookshelf orders view',
      description: 'orders-view: OrderShop reads, /orders/unbilled, /report, /notifications',
      defaults: { name: 'orders-view', id: 'orders-view1', tags: ['orders', 'view'], port: 8093 },
      options: ordersTopic,
    },
    create: (deps, c) => ordersViewService(deps, { identity: identityOf(c), topic: topicOf(c), group: c.group }),
  }),
  serviceEntry({
    command: ['orders', 'crm'],
    spec: {
      program: 'bookshelf orders crm',
      description: 'orders-crm: welcome and good-bye notifications (catches up after downtime)',
      defaults: { name: 'orders-crm', id: 'orders-crm1', tags: ['orders', 'crm'], port: 8094 },
      options: ordersTopic,
    },
    create: (deps, c) =>
      notifierService(deps, {
        identity: identityOf(c),
        topic: topicOf(c),
        group: c.group,
        kinds: CRM_KINDS,
        label: 'crm',
      }),
  }),
  serviceEntry({
    command: ['orders', 'messages'],
    spec: {
      program: 'bookshelf orders messages',
      description: 'orders-messages: order, saga and billing notifications (thank-you, shipped, receipt, ...)',
      defaults: { name: 'orders-messages', id: 'orders-messages1', tags: ['orders', 'messages'], port: 8095 },
      options: ordersTopic,
    },
    create: (deps, c) =>
      notifierService(deps, {
        identity: identityOf(c),
        topic: topicOf(c),
        group: c.group,
        kinds: MESSAGE_KINDS,
        label: 'messages',
      }),
  }),
];
