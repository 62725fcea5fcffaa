import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../../../../../eventlib/index.js';
import { jsonClient, startOrdersHost, type OrdersHost } from '../../../../helpers/ordersPlatform.js';
import {
  badInputScenario,
  concurrentOrdersScenario,
  crudScenario,
  demoSagaScenario,
  eventsOn,
  welcomeFor,
} from '../../../../helpers/ordersScenarios.js';
import { waitFor } from '../../../../helpers/wait.js';

// The orders services behind the real gateway, in this process, on the in-memory bus (the same scenarios run on
// Kafka and Redis in test/integration/orders).
describe('orders services on the memory bus', () => {
  let host: OrdersHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  const start = async () => {
    host = await startOrdersHost({
      bus: () => createEventBus({ kind: 'memory' }),
      topic: 'orders',
      prefix: 'unit',
      parts: ['shop', 'saga', 'view', 'crm', 'messages', 'gateway'],
    });
    return jsonClient(host.urls.get('gateway')!);
  };

  it('creates, lists, updates, deletes and bills without sleeping: 8 unbilled orders', async () => {
    await crudScenario(await start());
  });

  it('runs the demo saga to to-be-shipped, insufficient-fund (stock released) and out-of-stock', async () => {
    await demoSagaScenario(await start());
  });

  it('sells the last units once when many clients order at the same time', async () => {
    await concurrentOrdersScenario(await start());
  });

  it('answers bad input with 4xx problem+json and appends nothing', async () => {
    const api = await start();
    await badInputScenario(api, async () => (await eventsOn(host!.bus, 'orders')).length);
  });

  it('sends a welcome to a new customer (CRM)', async () => {
    const api = await start();
    await api.post('/customer', { name: 'Dora', email: 'dora@example.com', balance: 5 });
    expect(await waitFor(() => welcomeFor(api, 'dora@example.com'), { what: 'the welcome' })).toHaveLength(1);
  });
});
