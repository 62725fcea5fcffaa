import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { jsonClient } from '../../helpers/ordersPlatform.js';
import { crudScenario, demoSagaScenario, waitForOrdersGateway, welcomeFor } from '../../helpers/ordersScenarios.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

/** Issue 7 end to end: each orders service a real child process through the CLI, on Redis Streams and Consul. */
describe('orders on Redis and Consul, one process per service', () => {
  const { redisUrl, consulAddr } = infra();
  const topic = uniqueName('orders');
  const common = ['--redis', redisUrl, '--consul', consulAddr, '--orders-topic', topic];
  const procs: Record<string, CliProcess> = {};
  let api: ReturnType<typeof jsonClient>;

  const start = async (key: string, words: string[]) => {
    const port = await freePort();
    const flags = key === 'gateway' ? common.slice(0, 4) : common;
    procs[key] = startCli([...words, ...flags, '--port', String(port), '--id', `${key}-${topic}`], {
      KAFKA_BROKERS: '',
    });
    await waitForReady(`http://127.0.0.1:${port}/ready`, procs[key], 90_000);
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    await start('shop', ['orders', 'shop']);
    await Promise.all([
      start('saga', ['orders', 'saga']),
      start('view', ['orders', 'view']),
      start('crm', ['orders', 'crm']),
      start('messages', ['orders', 'messages']),
    ]);
    api = jsonClient(await start('gateway', ['gateway', '--domains', 'orders']));
    // The gateway finds the orders services through Consul once their checks pass.
    await waitForOrdersGateway(api);
  });

  afterAll(async () => {
    await stopAllCli();
  });

  it('serves the OrderShop routes with read-your-writes: 8 unbilled orders', async () => {
    await crudScenario(api);
  });

  it('runs the demo saga through the gateway', async () => {
    await demoSagaScenario(api);
  });

  it('the CRM process sends the welcome', async () => {
    await api.post('/customer', { name: 'Ezra', email: 'ezra@example.com', balance: 1 });
    expect(await waitFor(() => welcomeFor(api, 'ezra@example.com'), { what: 'the welcome' })).toHaveLength(1);
  });
});

/** `npm start` (`bookshelf start`): the orders services embedded beside the others, on the in-memory bus. */
describe('orders in the embedded platform (bookshelf start)', () => {
  let platform: CliProcess;

  afterAll(async () => {
    await stopAllCli();
  });

  it('runs the demo saga and lists notifications', async () => {
    const port = await freePort();
    platform = startCli(['start', '--port', String(port)], {
      KAFKA_BROKERS: '',
      REDIS_URL: '',
      CONSUL_HTTP_ADDR: '',
      BOOKSHELF_INFRA: '',
    });
    await waitForReady(`http://127.0.0.1:${port}/ready`, platform, 90_000);
    const api = jsonClient(`http://127.0.0.1:${port}`);
    await waitForOrdersGateway(api);
    await demoSagaScenario(api);
  });
});

/** `bookshelf up`: every service in one process on Kafka and Consul. */
describe('orders in bookshelf up on Kafka', () => {
  afterAll(async () => {
    await stopAllCli();
  });

  it('runs the demo saga', async () => {
    const { kafkaBrokers, consulAddr } = infra();
    const port = await freePort();
    // The orders topic follows --topic: `<topic>.orders`, unique to this run.
    const up = startCli(
      ['up', '--broker', kafkaBrokers, '--consul', consulAddr, '--port', String(port), '--topic', uniqueName('books')],
      { REDIS_URL: '' },
    );
    await waitForReady(`http://127.0.0.1:${port}/ready`, up, 120_000);
    const api = jsonClient(`http://127.0.0.1:${port}`);
    await waitForOrdersGateway(api);
    await demoSagaScenario(api);
  });
});
