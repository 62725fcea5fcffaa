import { createClient } from 'redis';
import { acquireInstanceLock } from '../../../discolib/index.js';
import { describeInstanceLock } from '../../../discolib/testing/index.js';
import { infra } from '../../setup/infra.js';

/** The documented default key of a Redis lock. */
const keyOf = (name: string) => `bookshelf:lock:${name}`;

async function withRedis<T>(fn: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: infra().redisUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

describeInstanceLock('redis', (request) => acquireInstanceLock({ kind: 'redis', url: infra().redisUrl, ...request }), {
  kind: 'redis',
  childOptions: (request) => ({ kind: 'redis', url: infra().redisUrl, ...request }),
  server: {
    present: (name) => withRedis(async (c) => (await c.exists(keyOf(name))) === 1),
    vanish: (name) => withRedis((c) => c.del(keyOf(name))).then(() => undefined),
  },
});
