import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, type BusOptions } from '../../../eventlib/index.js';
import { notificationsTopic } from '../../../aggregates/orders/service/topics.js';
import { jsonClient, startOrdersHost, type OrdersHost, type OrdersHostOptions } from '../../helpers/ordersPlatform.js';
import {
  badInputScenario,
  concurrentOrdersScenario,
  crudScenario,
  demoSagaScenario,
  eventsOn,
  welcomeFor,
} from '../../helpers/ordersScenarios.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';
import { infra } from '../../setup/infra.js';

const { kafkaBrokers, redisUrl } = infra();

// Short consumer sessions so a restarted member takes its partition back quickly.
const transports: [string, () => BusOptions][] = [
  [
    'kafka',
    () => ({
      kind: 'kafka',
      brokers: kafkaBrokers,
      clientId: 'orders-int',
      consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 },
    }),
  ],
  ['redis', () => ({ kind: 'redis', url: redisUrl, blockMs: 200 })],
];

describe.each(transports)('orders services on %s', (_name, busOptions) => {
  const hosts: OrdersHost[] = [];
  afterEach(async () => {
    await Promise.allSettled(hosts.splice(0).map((h) => h.stop()));
  });

  const start = async (topic: string, prefix: string, parts: OrdersHostOptions['parts']) => {
    const host = await startOrdersHost({ bus: () => createEventBus(busOptions()), topic, prefix, parts });
    hosts.push(host);
    return host;
  };
  const platform = async (
    parts: OrdersHostOptions['parts'] = ['shop', 'saga', 'view', 'crm', 'messages', 'gateway'],
  ) => {
    const topic = uniqueName('orders');
    const prefix = uniqueName('g');
    const host = await start(topic, prefix, parts);
    return { topic, prefix, host, api: jsonClient(host.urls.get('gateway')!) };
  };

  it('creates, lists, updates, deletes and bills without sleeping: 8 unbilled orders', async () => {
    const { api } = await platform();
    await crudScenario(api);
  });

  it('runs the demo saga to to-be-shipped, insufficient-fund (stock released) and out-of-stock', async () => {
    const { api } = await platform();
    await demoSagaScenario(api);
  });

  it('sells the last units once when many clients order at the same time', async () => {
    const { api } = await platform(['shop', 'saga', 'view', 'gateway']);
    await concurrentOrdersScenario(api);
  });

  it('answers bad input with 4xx problem+json and appends nothing', async () => {
    const { api, host, topic } = await platform(['shop', 'view', 'gateway']);
    await badInputScenario(api, async () => (await eventsOn(host.bus, topic)).length);
  });

  it('CRM catches up on what was published while it was down, and sends each welcome once', async () => {
    const { api, host, topic, prefix } = await platform(['shop', 'view', 'gateway']);
    let crm = await start(topic, prefix, ['crm']);
    await api.post('/customer', { name: 'Early', email: 'early@example.com', balance: 1 });
    await waitFor(() => welcomeFor(api, 'early@example.com'), { what: 'the first welcome' });

    await crm.stop();
    hosts.splice(hosts.indexOf(crm), 1);
    expect((await api.post('/customer', { name: 'Late', email: 'late@example.com', balance: 1 })).status).toBe(200);
    crm = await start(topic, prefix, ['crm']);
    await waitFor(() => welcomeFor(api, 'late@example.com'), { what: 'the welcome sent after the restart' });

    // Durable group, not a replay: the restarted CRM did not send the first welcome again.
    const sent = await eventsOn(host.bus, notificationsTopic(topic));
    expect(sent.filter((e) => e.data.to === 'early@example.com')).toHaveLength(1);
    expect(sent.filter((e) => e.data.to === 'late@example.com')).toHaveLength(1);
  });

  it('keeps an entity updated then deleted deleted after every view is rebuilt from the log', async () => {
    const { api, topic, prefix, host } = await platform(['shop', 'view', 'gateway']);
    const [id, kept] = (
      await api.post('/customers', [
        { name: 'Gone', email: 'gone@example.com', balance: 3 },
        { name: 'Kept', email: 'kept@example.com', balance: 4 },
      ])
    ).body as string[];
    expect((await api.put(`/customer/${kept}`, { balance: 5 })).status).toBe(200);
    expect((await api.put(`/customer/${id}`, { name: 'Going' })).status).toBe(200);
    expect(await api.del(`/customer/${id}`)).toMatchObject({ status: 200, body: true });
    expect(await api.get(`/customer/${id}`)).toMatchObject({ status: 200, body: null });
    await host.stop();
    hosts.splice(hosts.indexOf(host), 1);

    const again = await start(topic, prefix, ['shop', 'view', 'gateway']);
    const api2 = jsonClient(again.urls.get('gateway')!);
    await waitFor(async () => (await api2.get('/customers')).status === 200, { what: 'the rebuilt view' });
    expect(await api2.get(`/customer/${id}`)).toMatchObject({ status: 200, body: null });
    // Rebuilt from the log, not resumed: the kept customer is there with its update, the deleted one is not.
    expect((await api2.get('/customers')).body).toEqual([
      { id: kept, name: 'Kept', email: 'kept@example.com', balance: 5 },
    ]);
    // The rebuilt command side agrees: the id is free again, updating it is a 404.
    expect((await api2.put(`/customer/${id}`, { name: 'Back?' })).status).toBe(404);
  });
});
