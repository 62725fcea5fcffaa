// The orders acceptance scenarios (SPEC §7, issue 7), written once and run on every transport: the memory bus in
// unit tests, Kafka and Redis in integration tests. Each takes a client of the gateway. Not a test file itself.
import { expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../eventlib/index.js';
import { waitFor } from './wait.js';
import type { jsonClient } from './ordersPlatform.js';

export type Api = ReturnType<typeof jsonClient>;

interface Entity {
  id: string;
  [field: string]: unknown;
}

interface OrderBody {
  id: string;
  customer_id: string;
  product_ids: string[];
  status: string;
}

/** An event as the tests look at it: the fields the orders and notification events may carry. */
export interface LoggedEvent {
  readonly type: string;
  readonly data: {
    readonly id?: string;
    readonly order_id?: string;
    readonly customer_id?: string;
    readonly to?: string;
    readonly amount?: number;
    readonly items?: readonly { readonly inventory_id: string; readonly quantity: number }[];
  };
}

/** Every event on `topic` right now: a fresh group from the beginning, read to the end. */
export async function eventsOn(bus: EventBus, topic: string): Promise<LoggedEvent[]> {
  const seen: LoggedEvent[] = [];
  const sub = await bus.subscribe({
    topics: [topic],
    group: `count-${randomUUID()}`,
    from: 'beginning',
    handler: (event) => void seen.push({ type: event.type, data: event.data as LoggedEvent['data'] }),
  });
  try {
    await sub.waitUntilCaughtUp(30_000);
  } finally {
    await sub.close();
  }
  return seen;
}

/** Create 10 customers, 10 products, 100 of each in stock, 10 orders; update, delete, bill; 8 unbilled. */
export async function crudScenario(api: Api): Promise<void> {
  const customers = await api.post(
    '/customers',
    Array.from({ length: 10 }, (_, i) => ({ name: `Customer ${i}`, email: `c${i}@example.com`, balance: 10_000 })),
  );
  expect(customers.status).toBe(200);
  const customerIds = customers.body as string[];
  expect(customerIds).toHaveLength(10);

  const products = await api.post(
    '/products',
    Array.from({ length: 10 }, (_, i) => ({ name: `Product ${i}`, price: 10 + i })),
  );
  expect(products.status).toBe(200);
  const productIds = products.body as string[];

  const stock = await api.post(
    '/inventory',
    productIds.map((product_id) => ({ product_id, amount: 100 })),
  );
  expect(stock.status).toBe(200);
  expect(stock.body).toHaveLength(10);

  const orders = await api.post(
    '/orders',
    customerIds.map((customer_id, i) => ({ customer_id, product_ids: [productIds[i]!] })),
  );
  expect(orders.status).toBe(200);
  const orderIds = orders.body as string[];
  expect(orderIds).toHaveLength(10);

  // Read-your-writes: listed at once, no sleep.
  expect((await api.get('/customers')).body).toHaveLength(10);
  expect((await api.get('/products')).body).toHaveLength(10);
  expect((await api.get('/inventory')).body).toHaveLength(10);
  expect((await api.get('/orders')).body).toHaveLength(10);

  const updated = await api.put(`/order/${orderIds[0]}`, { product_ids: [productIds[1]!, productIds[2]!] });
  expect(updated).toMatchObject({ status: 200, body: true });
  expect((await api.get<OrderBody>(`/order/${orderIds[0]}`)).body.product_ids).toEqual([productIds[1], productIds[2]]);

  expect(await api.del(`/order/${orderIds[1]}`)).toMatchObject({ status: 200, body: true });
  expect(await api.del(`/customer/${customerIds[9]}`)).toMatchObject({ status: 200, body: true });
  const billing = await api.post('/billing', { order_id: orderIds[2], done: true });
  expect(billing.status).toBe(200);

  const unbilled = await api.get('/orders/unbilled');
  expect(unbilled.status).toBe(200);
  expect(unbilled.body).toHaveLength(8);
  expect((unbilled.body as Entity[]).map((o) => o.id).sort()).toEqual(
    orderIds.filter((_, i) => i !== 1 && i !== 2).sort(),
  );
  expect((await api.get('/customers')).body).toHaveLength(9);
  expect(await api.get(`/customer/${customerIds[9]}`)).toMatchObject({ status: 200, body: null });
  expect(await api.get(`/order/${orderIds[1]}`)).toMatchObject({ status: 200, body: null });
  // Billing messages: a receipt for the done billing, a transfer request for one still open.
  expect((await api.post('/billings', { order_id: orderIds[3], done: false })).status).toBe(200);
  await waitFor(
    async () => {
      const kinds = (await api.get<{ kind: string }[]>('/notifications')).body.map((n) => n.kind);
      return kinds.includes('receipt') && kinds.includes('transfer-request');
    },
    { what: 'the billing messages' },
  );
  expect((await api.get('/orders/unbilled')).body).toHaveLength(8);
  const report = await api.get('/report');
  expect(Object.keys(report.body as object).sort()).toEqual(
    ['accounts', 'billings', 'customers', 'inventory', 'orders', 'products'].sort(),
  );
}

const finalStatus = async (api: Api, orderId: string) =>
  waitFor(
    async () => {
      const status = (await api.get<OrderBody | undefined>(`/order/${orderId}`)).body?.status;
      return status !== undefined && status !== 'pending' ? status : undefined;
    },
    { timeoutMs: 45_000, what: `order ${orderId} to leave pending` },
  );

const amounts = async (api: Api) => {
  const report = (await api.get('/report')).body as { inventory: Entity[]; customers: Entity[] };
  return {
    stock: Object.fromEntries(report.inventory.map((row) => [row.id, row.amount as number])),
    balance: Object.fromEntries(report.customers.map((c) => [c.id, c.balance as number])),
  };
};

/** The seed-003 walk-through: shipped, insufficient funds (stock released), out of stock (nothing changes). */
export async function demoSagaScenario(api: Api): Promise<void> {
  expect((await api.post('/init-data')).status).toBe(200);
  const before = await amounts(api);
  expect(before.stock).toMatchObject({ '201': 4, '202': 7, '203': 4, '204': 3, '205': 8 });
  expect(before.balance).toMatchObject({ '101': 1000, '102': 100, '103': 1000 });

  const first = await api.post<OrderBody>('/order', { product_ids: ['201', '204'], customer_id: '101' });
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ customer_id: '101', product_ids: ['201', '204'], status: 'pending' });
  expect(await finalStatus(api, first.body.id)).toBe('to-be-shipped');
  const shipped = await amounts(api);
  expect(shipped.balance['101']).toBe(100);
  expect(shipped.stock).toMatchObject({ '201': 3, '204': 2, '205': 8 });

  const second = await api.post<OrderBody>('/order', { product_ids: ['201', '204', '205'], customer_id: '101' });
  expect(second.body.status).toBe('pending');
  expect(await finalStatus(api, second.body.id)).toBe('insufficient-fund');
  // The release may land just after the status: poll for it (not a sleep).
  await waitFor(async () => JSON.stringify((await amounts(api)).stock) === JSON.stringify(shipped.stock), {
    what: 'the reserved stock to be released',
  });
  expect((await amounts(api)).balance['101']).toBe(100);

  const third = await api.post<OrderBody>('/order', { product_ids: Array(6).fill('201'), customer_id: '101' });
  expect(await finalStatus(api, third.body.id)).toBe('out-of-stock');
  expect(await amounts(api)).toEqual(shipped);

  const kinds = async () => ((await api.get('/notifications')).body as { kind: string }[]).map((n) => n.kind);
  await waitFor(
    async () => {
      const k = await kinds();
      return ['thank-you', 'in-stock', 'shipped', 'insufficient-fund', 'out-of-stock'].every((x) => k.includes(x));
    },
    { what: 'the saga notifications' },
  );
}

/** Bad input answers 4xx problem+json and appends nothing. */
export async function badInputScenario(api: Api, countEvents: () => Promise<number>): Promise<void> {
  expect((await api.post('/init-data')).status).toBe(200);
  const before = await countEvents();
  const cases: [string, () => ReturnType<Api['get']>, number][] = [
    ['missing fields', () => api.post('/customers', { name: 'No Email' }), 400],
    ['wrong types', () => api.post('/customer', { name: 5, email: 'x@example.com', balance: 'lots' }), 400],
    ['negative balance', () => api.post('/customers', { name: 'Neg', email: 'n@example.com', balance: -5 }), 400],
    ['negative price', () => api.post('/products', { name: 'Neg', price: -1 }), 400],
    ['negative amount', () => api.post('/inventory', { product_id: '201', amount: -3 }), 400],
    [
      'oversized array',
      () =>
        api.post(
          '/customers',
          Array.from({ length: 1001 }, (_, i) => ({ name: `c${i}`, email: `c${i}@e.com`, balance: 1 })),
        ),
      400,
    ],
    ['too many products', () => api.post('/order', { product_ids: Array(101).fill('201'), customer_id: '101' }), 400],
    ['empty order', () => api.post('/order', { product_ids: [], customer_id: '101' }), 400],
    ['unknown customer', () => api.post('/order', { product_ids: ['201'], customer_id: 'nobody' }), 422],
    ['unknown product of a row', () => api.post('/inventory', { product_id: 'nothing', amount: 1 }), 422],
    ['unknown order of a billing', () => api.post('/billings', { order_id: 'nothing', done: false }), 422],
    [
      'duplicate id',
      () => api.post('/customers', { id: '101', name: 'Again', email: 'a@example.com', balance: 1 }),
      409,
    ],
    ['update of an unknown id', () => api.put('/customer/nobody', { name: 'X' }), 404],
    ['empty update', () => api.put('/customer/101', {}), 400],
    ['negative price update', () => api.put('/product/201', { price: -10 }), 400],
    ['delete of an unknown id', () => api.del('/product/nothing'), 404],
    ['bad id', () => api.del('/order/%20bad%20'), 400],
  ];
  for (const [what, call, status] of cases) {
    const res = await call();
    expect({ what, status: res.status, body: res.status === status ? undefined : res.body }).toEqual({
      what,
      status,
      body: undefined,
    });
    expect({ what, problem: res.type.startsWith('application/problem+json') }).toEqual({ what, problem: true });
  }
  const unknown = await api.get('/customer/nobody');
  expect(unknown).toMatchObject({ status: 200, body: null });
  expect(await countEvents()).toBe(before);
}

/** The customer's welcome, from the notifications view. */
export async function welcomeFor(api: Api, email: string): Promise<unknown> {
  const list = (await api.get(`/notifications?kind=welcome&to=${encodeURIComponent(email)}`)).body as unknown[];
  return list.length > 0 ? list : undefined;
}

/** Until the gateway reaches both the view (null for an unknown id) and the command side (404), appending nothing. */
export async function waitForOrdersGateway(api: Api, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const read = await api.get('/customer/probe-nobody');
      return (
        read.status === 200 &&
        read.body === null &&
        (await api.put('/customer/probe-nobody', { name: 'x' })).status === 404
      );
    },
    { timeoutMs, what: 'the gateway to reach orders-view and orders-shop' },
  );
}

/** Many clients order the last units at once: exactly the stock is sold, once, and paid once. */
export async function concurrentOrdersScenario(api: Api): Promise<void> {
  expect((await api.post('/init-data')).status).toBe(200);
  // 204 (Google Home Mini, 100) has 3 in stock; Carol (103) can pay for 10.
  const placed = await Promise.all(
    Array.from({ length: 20 }, () => api.post<OrderBody>('/order', { product_ids: ['204'], customer_id: '103' })),
  );
  expect(placed.map((p) => p.status)).toEqual(Array(20).fill(200));
  const statuses = await Promise.all(placed.map((p) => finalStatus(api, p.body.id)));
  expect(statuses.filter((s) => s === 'to-be-shipped')).toHaveLength(3);
  expect(statuses.filter((s) => s === 'out-of-stock')).toHaveLength(17);
  const after = await amounts(api);
  expect(after.stock['204']).toBe(0);
  expect(after.balance['103']).toBe(700);
}
