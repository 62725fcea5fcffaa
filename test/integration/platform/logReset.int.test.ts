import { createClient } from 'redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { startCli, stopAllCli, waitForReady } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';
import { startWorker } from '../aggregates/lending/support.js';

const redis = async () => {
  const c = createClient({ url: infra().redisUrl });
  await c.connect();
  return c;
};
const json = async <T>(url: string) => (await (await fetch(url)).json()) as T;

/**
 * Issue 13, point 1: Redis is the log on this transport. When a stream vanishes under running services (the server
 * restarted without its data), a view rebuilds from what the log holds now, and a command side stops with a clear
 * error instead of deciding on an empty state.
 */
describe('a Redis log that is reset under running services', () => {
  const client = redis();
  afterEach(() => stopAllCli());
  afterAll(async () => (await client).close());
  const env = { KAFKA_BROKERS: '', CONSUL_HTTP_ADDR: '', BOOKSHELF_LOG_LEVEL: 'info' };

  it('a view rebuilds: it forgets what the lost log held and shows what the log holds now', async () => {
    const topic = uniqueName('reset');
    const port = await freePort();
    const view = startCli(
      ['view', 'book-list', '--redis', infra().redisUrl, '--topic', topic, '--port', String(port)],
      env,
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(`${url}/ready`, view);
    const c = await client;
    await c.xAdd(topic, '*', { title: 'Lost', author: 'Before' });
    await waitFor(async () => (await json<unknown[]>(url)).length === 1, { what: 'the first book' });
    // The server loses the stream; new writes start a new one.
    await c.del(topic);
    await c.xAdd(topic, '*', { title: 'Kept', author: 'After' });
    await waitFor(
      async () => {
        const titles = (await json<{ title: string }[]>(url)).map((b) => b.title);
        return titles.length === 1 && titles[0] === 'Kept';
      },
      { timeoutMs: 30_000, what: 'the view to rebuild from the new log' },
    );
    expect(view.child.exitCode).toBeNull();
    expect(view.output()).toContain('the log was reset: rebuilding the view');
  });

  it('the orders command side stops with exit 1 and one clear error when its stream vanishes', async () => {
    const topic = uniqueName('reset-orders');
    const port = await freePort();
    const shop = startCli(
      ['orders', 'shop', '--redis', infra().redisUrl, '--orders-topic', topic, '--port', String(port)],
      env,
    );
    await waitForReady(`http://127.0.0.1:${port}/ready`, shop);
    expect((await fetch(`http://127.0.0.1:${port}/init-data`, { method: 'POST' })).status).toBe(200);
    await (await client).del(topic);
    expect(await shop.exited).toBe(1);
    expect(shop.output()).toMatch(/EVT_ERR_LOG_RESET|was reset|vanished/);
  });

  it('the lending worker stops with exit 1 when its command stream vanishes, instead of deciding on an empty state', async () => {
    const namespace = `${uniqueName('reset')}-`;
    const worker = await startWorker('reset-w', ['-a', infra().redisUrl, '--namespace', namespace]);
    await (await client).del(`${namespace}lending-commands`);
    expect(await worker.exited).toBe(1);
    // Since the worker runs on eventlib's atomic subscription, eventlib's EVT_ERR_LOG_RESET stops it (one line).
    expect(worker.output()).toMatch(
      /lending worker reset-w stopped: stream \S+lending-commands no longer exists: the log .* was reset or deleted/,
    );
  });
});
