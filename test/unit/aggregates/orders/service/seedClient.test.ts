import { afterAll, beforeAll, describe } from 'vitest';
import { createEventBus } from '../../../../../eventlib/index.js';
import { startOrdersHost, type OrdersHost } from '../../../../helpers/ordersPlatform.js';
import { describeSeedClient } from '../../../../helpers/seedClient.js';

// The OrderShop seed's client, unchanged in substance, against the gateway on the in-memory bus. The same tests
// run against `bookshelf start` and `bookshelf up` on Kafka and Redis in test/e2e/orders/seedClient.e2e.test.ts.
describe('the OrderShop seed client against the gateway (memory bus)', () => {
  let host: OrdersHost;
  beforeAll(async () => {
    host = await startOrdersHost({
      bus: () => createEventBus({ kind: 'memory' }),
      topic: 'orders',
      prefix: 'seed',
      parts: ['shop', 'saga', 'view', 'crm', 'messages', 'gateway'],
    });
  });
  afterAll(async () => {
    await host.stop();
  });

  describeSeedClient(() => host.urls.get('gateway')!);
});
