import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

const MODES = [
  {
    name: 'Kafka and Consul',
    args: () => ['up', '--broker', infra().kafkaBrokers, '--consul', infra().consulAddr],
    env: { REDIS_URL: '' },
  },
  {
    name: 'Redis and Consul',
    args: () => ['up', '--redis', infra().redisUrl, '--consul', infra().consulAddr],
    env: { KAFKA_BROKERS: '' },
  },
];

/** One write per domain, each to another upstream; none of them may meet a gateway without the instance. */
const writes = (run: string) => [
  { path: '/bookshelf/books', body: { title: `Ready ${run}`, author: 'Gate' } },
  { path: '/lending/requests', body: { user: `ready-${run}`, books: [`ready-${run}`] } },
  { path: '/customers', body: [{ name: 'Ready', email: `ready-${run}@example.com` }] },
  {
    path: '/library/api/books',
    body: [{ id: `ready-${run}`, title: 'Ready', author: 'Gate', copies: 1, coverUrl: 'https://example.com/c.png' }],
  },
];

const post = async (base: string, path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { path, status: res.status, body: await res.text() };
};

/**
 * Issue 21, point 10: the gateway of `bookshelf up` says ready (on /ready, and with the "running" banner) only once
 * every service it routes to has a passing instance in Consul. Before, /ready answered 200 about 2 s before the
 * co-located services' checks passed, and a write in that window got 503 REST_ERR_NO_INSTANCE.
 */
describe.each(MODES)('bookshelf up on $name: ready means routed', (mode) => {
  let platform: CliProcess | undefined;
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    await stopAllCli();
  });

  const start = async () => {
    const port = await freePort();
    platform = startCli([...mode.args(), '--topic', uniqueName('ready'), '--port', String(port)], mode.env);
    return { base: `http://127.0.0.1:${port}`, proc: platform };
  };

  it('a write right after /ready first answers 200 is routed (2xx, never 503), on two starts', async () => {
    for (let round = 0; round < 2; round++) {
      const { base, proc } = await start();
      await waitForReady(`${base}/ready`, proc, 120_000);
      const answers = await Promise.all(writes(randomUUID().slice(0, 8)).map((w) => post(base, w.path, w.body)));
      expect(answers.filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
      await platform!.stop();
      platform = undefined;
    }
  });

  it('the "running" banner comes once the gateway routes: a write right after it is 2xx', async () => {
    const { base, proc } = await start();
    const seen = await waitFor(
      () => (proc.child.exitCode !== null ? 'exited' : proc.output().includes('Bookshelf is running') && 'banner'),
      { timeoutMs: 120_000, what: 'the banner' },
    );
    expect(seen, proc.output()).toBe('banner');
    const answers = await Promise.all(writes(randomUUID().slice(0, 8)).map((w) => post(base, w.path, w.body)));
    expect(answers.filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
    expect(proc.output()).toContain(`Library app: ${base}/library/`);
    expect(proc.output()).toContain(`Front door:  ${base}/`);
  });
});
