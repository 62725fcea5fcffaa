import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, type Envelope, type EventBus } from '../../../../../eventlib/index.js';
import { createRegistry } from '../../../../../discolib/index.js';
import { buildServer, type RestApp } from '../../../../../restlib/index.js';
import type { PlatformDeps, ServiceComponent } from '../../../../../platform/index.js';
import { ordersShopService } from '../../../../../aggregates/orders/service/shopService.js';
import { ordersSagaService } from '../../../../../aggregates/orders/service/sagaService.js';
import { eventsOn } from '../../../../helpers/ordersScenarios.js';
import { uniqueName, waitFor } from '../../../../helpers/wait.js';

/** Every envelope on `topic`, read by a group of its own. */
async function readTopic(bus: EventBus, topic: string): Promise<Envelope[]> {
  const seen: Envelope[] = [];
  const sub = await bus.subscribe({ topics: [topic], group: uniqueName('read'), handler: (e) => void seen.push(e) });
  await sub.waitUntilCaughtUp(5_000);
  await sub.close();
  return seen;
}

const log = pino({ level: 'silent' });
const identity = (name: string) => ({ name, id: `${name}-1`, tags: [] });

describe('orders-shop (command side)', () => {
  let bus: EventBus;
  let deps: PlatformDeps;
  const components: ServiceComponent[] = [];
  const apps: RestApp[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await Promise.all(components.splice(0).map((c) => c.stop()));
    await bus.close();
    await deps.registry.close();
  });

  const shop = async () => {
    bus = await createEventBus({ kind: 'memory' });
    deps = { bus, registry: createRegistry({ kind: 'memory' }, log), log, clock: () => new Date(0) };
    const component = await ordersShopService(deps, {
      identity: identity('orders-shop'),
      topic: 'orders',
      group: 'shop',
      waitMs: 300,
    });
    components.push(component);
    const app = await buildServer({ name: 'orders-shop', logger: log, docs: false });
    await component.routes(app);
    apps.push(app);
    return app;
  };
  const send = (app: RestApp, method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('answers creates with the new ids and a position token; the order route with the pending order', async () => {
    const app = await shop();
    const created = await send(app, 'POST', '/customer', { id: 7, name: 'Ann', email: 'ann@example.com', balance: 10 });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual(['7']);
    expect(created.headers['bookshelf-position']).toMatch(/^orders\/0\/\d+$/);
    const order = await send(app, 'POST', '/order', { product_ids: ['x'], customer_id: '7' });
    expect(order.statusCode).toBe(200);
    expect(order.json()).toMatchObject({ customer_id: '7', product_ids: ['x'], status: 'pending' });
    const updated = await send(app, 'PUT', '/customer/7', { name: 'Anne' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toBe(true);
    const deleted = await send(app, 'DELETE', '/customer/7');
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toBe(true);
    const again = await send(app, 'DELETE', '/customer/7');
    expect(again.statusCode).toBe(404);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect((await send(app, 'PUT', '/customer/7', { name: 'Gone' })).statusCode).toBe(404);
  });

  it('an update that changes nothing appends nothing and returns no position', async () => {
    const app = await shop();
    await send(app, 'POST', '/init-data');
    const before = (await eventsOn(bus, 'orders')).length;
    const same = await send(app, 'PUT', '/product/201', { name: 'Denon Speakers' });
    expect(same.statusCode).toBe(200);
    expect(same.headers['bookshelf-position']).toBeUndefined();
    expect((await send(app, 'POST', '/init-data')).json()).toEqual({ events: 0 });
    expect((await eventsOn(bus, 'orders')).length).toBe(before);
  });

  it('decides a redelivered command once: its ids are drawn into it, its events name it as their cause', async () => {
    const app = await shop();
    const created = await send(app, 'POST', '/customers', [{ name: 'Ann', email: 'ann@example.com' }]);
    expect(created.statusCode).toBe(200);
    const [id] = created.json<string[]>();
    const [command] = await readTopic(bus, 'orders.commands');
    expect(command).toMatchObject({ type: 'orders-shop-command', data: { ids: [id] } });
    const events = await readTopic(bus, 'orders');
    expect(events.map((e) => e.metadata.causationId)).toEqual([command!.id]);
    // The same command again (a redelivery after a crash between the append and the acknowledgement).
    const [again] = await bus.publish('orders.commands', [command!]);
    await waitFor(async () => (await readTopic(bus, 'orders.commands')).length === 2);
    await send(app, 'POST', '/product', { id: 'p', name: 'P', price: 1 });
    expect(again).toBeDefined();
    expect((await readTopic(bus, 'orders')).map((e) => e.type)).toEqual(['customer-created', 'product-created']);
  });

  it('decides one of two commands with the same Idempotency-Key in one batch (a retry after a 503 beside its first attempt)', async () => {
    const app = await shop();
    const keyed = await app.inject({
      method: 'POST',
      url: '/customers',
      headers: { 'idempotency-key': 'k-1' },
      payload: [{ name: 'Ann', email: 'ann@example.com' }],
    });
    expect(keyed.statusCode).toBe(200);
    const [first] = await readTopic(bus, 'orders.commands');
    expect(first!.metadata.idempotencyKey).toBe('k-1');
    // Two attempts of another keyed write, each with ids of its own, appended together: one batch.
    const attempt = (id: string, drawn: string) => ({
      ...first!,
      id,
      data: { ...(first!.data as object), ids: [drawn] },
      metadata: { ...first!.metadata, idempotencyKey: 'k-2' },
    });
    const [id1, id2] = [randomUUID(), randomUUID()];
    await bus.publish('orders.commands', [attempt(id1, 'c-1'), attempt(id2, 'c-2')]);
    await waitFor(async () => (await readTopic(bus, 'orders')).length >= 2);
    await send(app, 'POST', '/product', { id: 'p', name: 'P', price: 1 });
    const events = await readTopic(bus, 'orders');
    expect(events.map((e) => [e.type, e.metadata.idempotencyKey])).toEqual([
      ['customer-created', 'k-1'],
      ['customer-created', 'k-2'],
      ['product-created', undefined],
    ]);
    expect(events[1]!.metadata.causationId).toBe(id1);
  });

  it('holds absolute stock and balance writes while a saga moves stock or money (503), not the others', async () => {
    const app = await shop();
    await send(app, 'POST', '/init-data');
    await send(app, 'POST', '/order', { product_ids: ['201'], customer_id: '101' });
    // No saga participant runs: the order stays between order-created and its stock/money moves.
    const stock = await send(app, 'PUT', '/inventory/201', { amount: 50 });
    expect(stock.statusCode).toBe(503);
    expect(stock.headers['content-type']).toContain('application/problem+json');
    expect((await send(app, 'PUT', '/customer/101', { balance: 5 })).statusCode).toBe(503);
    expect((await send(app, 'POST', '/init-data')).statusCode).toBe(503);
    expect((await send(app, 'PUT', '/customer/101', { name: 'Tony' })).statusCode).toBe(200);
    expect((await send(app, 'PUT', '/product/201', { price: 750 })).statusCode).toBe(200);

    // Once the saga has run, the same write goes through.
    components.push(
      await ordersSagaService(deps, { identity: identity('orders-saga'), topic: 'orders', group: 'saga' }),
    );
    let answer = 0;
    for (let attempt = 0; attempt < 50 && answer !== 200; attempt += 1) {
      answer = (await send(app, 'PUT', '/inventory/201', { amount: 50 })).statusCode;
    }
    expect(answer).toBe(200);
  });
});

describe('orders service options', () => {
  it('are validated at construction', async () => {
    const bus = await createEventBus({ kind: 'memory' });
    const deps: PlatformDeps = {
      bus,
      registry: createRegistry({ kind: 'memory' }, log),
      log,
      clock: () => new Date(0),
    };
    try {
      await expect(
        ordersShopService(deps, { identity: identity('orders-shop'), topic: 'no spaces allowed', group: 'g' }),
      ).rejects.toThrow(/orders-shop: invalid options[\s\S]*topic/);
      await expect(
        ordersSagaService(deps, {
          identity: identity('orders-saga'),
          topic: 'orders',
          group: 'g',
          participants: ['inventory', 'inventory'],
        }),
      ).rejects.toThrow(/must not repeat/);
    } finally {
      await bus.close();
      await deps.registry.close();
    }
  });
});
