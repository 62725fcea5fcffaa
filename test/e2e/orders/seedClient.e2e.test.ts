import { afterAll, beforeAll, describe } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { jsonClient } from '../../helpers/ordersPlatform.js';
import { waitForOrdersGateway } from '../../helpers/ordersScenarios.js';
import { describeSeedClient } from '../../helpers/seedClient.js';
import { startCli, stopAllCli, waitForReady } from '../../helpers/processes.js';
import { uniqueName } from '../../helpers/wait.js';

/**
 * Issue 12: the OrderShop seed's own client scenario (test/helpers/seedClient.ts) against the whole platform in
 * one process, as a user runs it: `bookshelf start`, and `bookshelf up` on Kafka and on Redis (each on a topic of
 * its own, so the shop starts empty as the client expects).
 */
const modes: [string, () => string[], NodeJS.ProcessEnv][] = [
  ['bookshelf start (embedded)', () => ['start'], { KAFKA_BROKERS: '', REDIS_URL: '', CONSUL_HTTP_ADDR: '' }],
  [
    'bookshelf up --broker --consul (Kafka)',
    () => ['up', '--broker', infra().kafkaBrokers, '--consul', infra().consulAddr, '--topic', uniqueName('seed')],
    { REDIS_URL: '' },
  ],
  [
    'bookshelf up --redis --consul (Redis Streams)',
    () => ['up', '--redis', infra().redisUrl, '--consul', infra().consulAddr, '--topic', uniqueName('seed')],
    { KAFKA_BROKERS: '' },
  ],
];

describe.each(modes)('the OrderShop seed client against %s', (_mode, args, env) => {
  let base = '';
  beforeAll(async () => {
    const port = await freePort();
    const proc = startCli([...args(), '--port', String(port)], env);
    await waitForReady(`http://127.0.0.1:${port}/ready`, proc, 120_000);
    base = `http://127.0.0.1:${port}`;
    await waitForOrdersGateway(jsonClient(base));
  });
  afterAll(async () => {
    await stopAllCli();
  });

  describeSeedClient(() => base);
});
