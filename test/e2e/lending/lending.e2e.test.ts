import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { runCli, startCli, stopAllCli, waitForReady } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

interface Transport {
  name: string;
  /** Flags of the HTTP services (restlib config). */
  service: () => string[];
  /** Flags of `bookshelf lending-worker` and `bookshelf books`. */
  worker: () => string[];
  client: () => string[];
}

const TRANSPORTS: Transport[] = [
  {
    name: 'kafka',
    service: () => ['--broker', infra().kafkaBrokers],
    worker: () => ['--broker', infra().kafkaBrokers, '--consul', infra().consulAddr],
    client: () => ['--broker', infra().kafkaBrokers],
  },
  {
    name: 'redis',
    service: () => ['--redis', infra().redisUrl],
    worker: () => ['-a', infra().redisUrl],
    client: () => ['-a', infra().redisUrl],
  },
];

/**
 * Issue 6 end to end: the lending services as real child processes registered in Consul (lending, lendingview,
 * shelving, gateway), a lending worker process, and the `bookshelf books` CLI, on Kafka and on Redis.
 */
describe.each(TRANSPORTS)('lending on $name, one process per service', (transport) => {
  const namespace = `${uniqueName('e2e')}-`;
  let gw = '';

  beforeAll(async () => {
    const common = [...transport.service(), '--consul', infra().consulAddr, '--namespace', namespace];
    const start = async (words: string[], extra: string[] = []) => {
      const port = await freePort();
      const proc = startCli([...words, ...common, '--port', String(port), ...extra]);
      await waitForReady(`http://127.0.0.1:${port}/ready`, proc);
      return `http://127.0.0.1:${port}`;
    };
    await start(['aggregate', 'lending']);
    await start(['view', 'lending'], ['--group', uniqueName('lendingview')]);
    await start(['aggregate', 'shelving'], ['--group', uniqueName('shelving')]);
    startCli([
      'lending-worker',
      'e2e-worker',
      ...transport.worker(),
      '--namespace',
      namespace,
      '--storage-capacity',
      '0',
    ]);
    const gwPort = await freePort();
    const gateway = startCli([
      'gateway',
      '--domains',
      'lending',
      '--consul',
      infra().consulAddr,
      '--port',
      String(gwPort),
    ]);
    gw = `http://127.0.0.1:${gwPort}`;
    await waitForReady(`${gw}/ready`, gateway);
  });
  afterAll(() => stopAllCli());

  const get = async (path: string) => {
    const res = await fetch(`${gw}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('requests through the CLI, reads through the gateway, returns over HTTP and shelves the overflow', async () => {
    const cli = (args: string[]) => runCli([...args, ...transport.client(), '--namespace', namespace]);
    const lent = await cli(['books', 'request', 'ann', 'b1', 'b2', '--wait']);
    expect(lent.code).toBe(0);
    expect(lent.output).toMatch(/^OK\naccepted: b1 \(due [\d-]+\), b2 \(due [\d-]+\); ann holds 2\n$/);
    const denied = await cli(['books', 'request', 'bob', 'b1', '--wait']);
    expect(denied.output).toMatch(/denied: none of the requested books is available/);

    const user = await waitFor(
      async () => {
        const r = await get('/lending/users/ann');
        return r.status === 200 && r.body.count === 2 ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'ann in the users view (gateway -> lendingview through Consul)' },
    );
    expect(user.body).toMatchObject({ user: 'ann', count: 2 });

    const res = await fetch(`${gw}/lending/returns?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ann', books: ['b1', 'nope'] }),
    });
    expect(res.status).toBe(200);
    const returned = (await res.json()) as { status: string; sentToShelving: string[]; requestId: string };
    expect(returned).toMatchObject({ status: 'returned', sentToShelving: ['b1'] });
    // The shelving service (storage capacity 0 here) puts b1 back on the shelves
    await waitFor(async () => (await get(`/lending/requests/${returned.requestId}`)).body.shelved !== undefined, {
      timeoutMs: 30_000,
      what: 'the shelving service',
    });
    expect((await get('/lending/books/b1')).body).toMatchObject({ holders: [], where: { shelf: 1 } });

    const bad = await cli(['books', 'return', 'ann']);
    expect(bad.code).not.toBe(0);
    expect(bad.output.trim().split('\n')).toHaveLength(1);
  });
});
