import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEventBus, type BusOptions } from '../../../eventlib/index.js';
import { jsonClient, startOrdersHost, type OrdersHost } from '../../helpers/ordersPlatform.js';
import { eventsOn } from '../../helpers/ordersScenarios.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';
import { infra } from '../../setup/infra.js';

const { kafkaBrokers, redisUrl } = infra();

const transports: [string, () => BusOptions, string[]][] = [
  [
    'kafka',
    () => ({
      kind: 'kafka',
      brokers: kafkaBrokers,
      clientId: 'orders-crash',
      consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 },
    }),
    ['--broker', kafkaBrokers],
  ],
  ['redis', () => ({ kind: 'redis', url: redisUrl, blockMs: 200 }), ['--redis', redisUrl]],
];

/** The saga participants as a real child process (`bookshelf orders saga`), with a fixed instance id. */
async function startSaga(topic: string, group: string, transport: string[]): Promise<CliProcess> {
  const saga = startCli(
    ['orders', 'saga', '--orders-topic', topic, '--group', group, '--id', `${group}-1`, '--port', '0', ...transport],
    { BOOKSHELF_LOG_LEVEL: 'info', CONSUL_HTTP_ADDR: '', BOOKSHELF_CONSUL: '' },
  );
  const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(saga.output())?.[1], {
    timeoutMs: 60_000,
    what: `the saga's url\n${saga.output()}`,
  });
  await waitForReady(`${url}/ready`, saga, 90_000);
  return saga;
}

// Orders by the demo customers: some ship, some lack funds, some lack stock.
const ORDERS = [
  { customer_id: '101', product_ids: ['204'] },
  { customer_id: '102', product_ids: ['203'] },
  { customer_id: '103', product_ids: ['202', '205'] },
  { customer_id: '101', product_ids: ['201', '201', '201', '201', '201'] },
  { customer_id: '103', product_ids: ['205', '205'] },
  { customer_id: '102', product_ids: ['204'] },
  { customer_id: '101', product_ids: ['203', '204'] },
  { customer_id: '103', product_ids: ['201'] },
  { customer_id: '101', product_ids: ['205'] },
  { customer_id: '102', product_ids: ['202'] },
];

describe.each(transports)('order saga on %s survives a SIGKILL of its participants', (_name, busOptions, transport) => {
  let host: OrdersHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });
  afterAll(async () => {
    await stopAllCli();
  });

  it('every order reaches exactly one final status; stock and balances add up', { timeout: 240_000 }, async () => {
    const topic = uniqueName('orders-crash');
    const prefix = uniqueName('g');
    host = await startOrdersHost({
      bus: () => createEventBus(busOptions()),
      topic,
      prefix,
      parts: ['shop', 'view', 'gateway'],
    });
    const api = jsonClient(host.urls.get('gateway')!);
    expect((await api.post('/init-data')).status).toBe(200);
    const initial = (await api.get('/report')).body as {
      inventory: { id: string; product_id: string; amount: number }[];
      customers: { id: string; balance: number }[];
    };

    let saga = await startSaga(topic, `${prefix}-saga`, transport);
    // The participants decide a batch at a time (one append for the 16 reservations), so the first settled order
    // comes with the last: kill them at their first step instead, with every order's saga still to finish.
    let stepped = false;
    const watch = await host.bus.subscribe({
      topics: [topic],
      group: uniqueName('watch'),
      from: 'beginning',
      handler: (e) => void (stepped ||= e.type === 'stock-reserved' || e.type === 'stock-reservation-failed'),
    });
    await watch.waitUntilCaughtUp(30_000);
    const first = (await api.post<string[]>('/orders', [...ORDERS, ...ORDERS].slice(0, 16))).body;
    const orderIds = [...first];
    const finals = async () =>
      ((await api.get('/orders')).body as { id: string; status: string }[]).filter((o) => o.status !== 'pending');
    await waitFor(() => stepped, { timeoutMs: 60_000, intervalMs: 5, what: 'a first saga step' });
    saga.signal('SIGKILL');
    expect(await saga.exited).toBe('SIGKILL');
    await watch.close();
    // Mid-flow: not every order settled yet.
    expect((await finals()).length).toBeLessThan(orderIds.length);

    // Orders placed while no participant runs wait in the log.
    expect(
      (await api.post('/customer', { id: 'rich', name: 'Rich', email: 'rich@example.com', balance: 1e6 })).status,
    ).toBe(200);
    expect((await api.post('/product', { id: 'late', name: 'Late Item', price: 1 })).status).toBe(200);
    expect((await api.post('/inventory', { product_id: 'late', amount: 10 })).status).toBe(200);
    // What the shop looks like before any order touches the late row or the rich customer.
    const added = (await api.get<typeof initial>('/report')).body;
    initial.inventory.push(...added.inventory.filter((row) => row.product_id === 'late'));
    initial.customers.push(...added.customers.filter((c) => c.id === 'rich'));
    const [late] = (await api.post<string[]>('/orders', { customer_id: 'rich', product_ids: ['late', 'late'] })).body;
    orderIds.push(late!, ...(await api.post<string[]>('/orders', ORDERS.slice(6))).body);
    saga = await startSaga(topic, `${prefix}-saga`, transport);
    const orders = await waitFor(
      async () => {
        const all = (await api.get('/orders')).body as { id: string; customer_id: string; status: string }[];
        return all.length === orderIds.length && all.every((o) => o.status !== 'pending') ? all : undefined;
      },
      { timeoutMs: 120_000, what: 'every order to settle after the restart' },
    );

    // Exactly once per order in the log: one reservation outcome, at most one charge, one final status.
    const events = await eventsOn(host.bus, topic);
    const count = (type: string, orderId: string) =>
      events.filter((e) => e.type === type && (e.data.order_id ?? e.data.id) === orderId).length;
    for (const order of orders) {
      const reserved = count('stock-reserved', order.id);
      expect(reserved + count('stock-reservation-failed', order.id)).toBe(1);
      expect(count('customer-charged', order.id) + count('charge-failed', order.id)).toBe(reserved);
      expect(count('stock-released', order.id)).toBe(count('charge-failed', order.id));
      expect(count('order-status-changed', order.id)).toBe(1);
      expect(count('customer-charged', order.id)).toBe(order.status === 'to-be-shipped' ? 1 : 0);
    }

    // Stock and balances add up: initial minus what the shipped orders took and paid.
    const expectedStock = new Map(initial.inventory.map((row) => [row.id, row.amount]));
    const expectedBalance = new Map(initial.customers.map((c) => [c.id, c.balance * 100]));
    const shipped = new Set(orders.filter((o) => o.status === 'to-be-shipped').map((o) => o.id));
    for (const e of events) {
      if (e.type === 'stock-reserved' && shipped.has(e.data.order_id!)) {
        for (const item of e.data.items!) {
          expectedStock.set(item.inventory_id, expectedStock.get(item.inventory_id)! - item.quantity);
        }
      }
      if (e.type === 'customer-charged') {
        const customer = e.data.customer_id!;
        expectedBalance.set(customer, expectedBalance.get(customer)! - Math.round(e.data.amount! * 100));
      }
    }
    const report = (await api.get('/report')).body as typeof initial;
    for (const row of report.inventory) {
      expect({ row: row.id, amount: row.amount }).toEqual({ row: row.id, amount: expectedStock.get(row.id) });
      expect(row.amount).toBeGreaterThanOrEqual(0);
    }
    for (const c of report.customers) {
      expect({ customer: c.id, cents: Math.round(c.balance * 100) }).toEqual({
        customer: c.id,
        cents: expectedBalance.get(c.id),
      });
      expect(c.balance).toBeGreaterThanOrEqual(0);
    }
    // The restarted participants rebuilt their state from the whole log: orders placed while they were down ship.
    expect(shipped.has(late!)).toBe(true);
    expect(orders.some((o) => o.status === 'out-of-stock')).toBe(true);
    expect(orders.some((o) => o.status === 'insufficient-fund')).toBe(true);
    await saga.stop();
  });
});
