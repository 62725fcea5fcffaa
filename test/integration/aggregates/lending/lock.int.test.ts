import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { LendingKeys } from '../../../../aggregates/lending/redis/stateKeys.js';
import { runCli, startCli, stopAllCli } from '../../../helpers/processes.js';
import { infra } from '../../../setup/infra.js';
import { waitFor } from '../../../helpers/wait.js';
import { freshTopics, startWorker, TRANSPORTS, type TransportCase } from './support.js';

/**
 * The lock as its store shows it (a token or session id), and a way to make it vanish as a server restart or an
 * expiry during an outage would: the Redis key deleted, or the Consul session destroyed (its key goes with it).
 */
function lockStore(transport: TransportCase, namespace: string, name: string) {
  if (transport.name === 'redis') {
    const key = new LendingKeys(`{${namespace}lending}`).lock(name);
    const withRedis = async <T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>) => {
      const c = createClient({ url: infra().redisUrl });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.close();
      }
    };
    return {
      holder: () => withRedis((c) => c.get(key)),
      vanish: () => withRedis((c) => c.del(key)).then(() => undefined),
    };
  }
  const key = `bookshelf/${namespace}lending-worker/${name}`;
  const consul = `http://${infra().consulAddr}/v1`;
  const holder = async () => {
    const res = await fetch(`${consul}/kv/${key}`);
    if (res.status === 404) return null;
    return ((await res.json()) as { Session?: string }[])[0]?.Session ?? null;
  };
  return {
    holder,
    vanish: async () => {
      const session = await holder();
      if (session) await fetch(`${consul}/session/destroy/${session}`, { method: 'PUT' });
    },
  };
}

describe.each(TRANSPORTS)('the instance lock of a lending worker on $name', (transport) => {
  afterEach(() => stopAllCli());

  it('refuses a second worker with a name in use (exit 1, one clear line) unless --force, which takes the lock over', async () => {
    const { namespace } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace];
    const first = await startWorker('dup', args);
    const second = await runCli(['lending-worker', 'dup', ...args]);
    expect(second.code).toBe(1);
    expect(second.output.trim().split('\n').at(-1)).toMatch(/lending worker name "dup" is in use .* --force/);
    expect(first.child.exitCode).toBeNull();

    await startWorker('dup', [...args, '--force']);
    // The worker that lost its lock stops by itself
    expect(await first.exited).toBe(1);
    expect(first.output()).toMatch(/stopped: .*taken over by another worker/);
  });

  it("lets a new worker take a dead worker's name once the lock has expired", async () => {
    const { namespace } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace, '--lock-ttl-ms', '2000'];
    const dead = await startWorker('phoenix', args);
    dead.signal('SIGKILL');
    await dead.exited;
    // Right after the crash the name may still be locked; once the lock expires a worker starts without --force
    const reborn = await waitFor(
      async () => {
        const attempt = startCli(['lending-worker', 'phoenix', ...args]);
        const result = await Promise.race([
          attempt.exited.then(() => undefined),
          waitFor(() => attempt.output().includes('lending worker phoenix running'), { timeoutMs: 20_000 }).then(
            () => attempt,
          ),
        ]);
        if (!result) expect(attempt.output()).toMatch(/is in use/);
        return result;
      },
      { timeoutMs: 50_000, intervalMs: 500, what: 'the lock to expire' },
    );
    expect(reborn.child.exitCode).toBeNull();
  });

  it('--wait-for-lock: restarted right after a SIGKILL, the worker waits for its own old lock, then runs', async () => {
    const { namespace } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace, '--lock-ttl-ms', '2000'];
    const dead = await startWorker('lazarus', args);
    dead.signal('SIGKILL');
    await dead.exited;
    const reborn = await startWorker('lazarus', [...args, '--wait-for-lock']);
    expect(reborn.child.exitCode).toBeNull();
    expect(reborn.output()).not.toMatch(/is in use/);
  });

  it('takes its lock again when it vanished with the server (restart, expiry during an outage), and keeps running', async () => {
    const { namespace } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace, '--lock-ttl-ms', '2000'];
    const worker = await startWorker('survivor', args);
    const store = lockStore(transport, namespace, 'survivor');
    const before = await store.holder();
    expect(before).toBeTruthy();
    await store.vanish();
    const after = await waitFor(async () => await store.holder(), {
      timeoutMs: 30_000,
      what: 'the lock to be taken again',
    });
    // The worker logs it right after the store shows the new holder, so the line may lag a moment behind.
    await waitFor(() => /took (it|the lock) again/.test(worker.output()), { timeoutMs: 10_000, what: 'the log line' });
    expect(worker.child.exitCode).toBeNull();
    // Still the lock of this worker: a second worker with the name is refused.
    const second = await runCli(['lending-worker', 'survivor', ...args]);
    expect(second.code).toBe(1);
    if (transport.name === 'redis') expect(after).toBe(before);
  });
});
