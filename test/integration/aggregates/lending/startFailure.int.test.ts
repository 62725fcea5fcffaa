import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../../discolib/index.js';
import { createEventBus, EventLibError, type EventBus } from '../../../../eventlib/index.js';
import { lendingConfig } from '../../../../aggregates/lending/domain/index.js';
import { runLendingWorker } from '../../../../aggregates/lending/worker/runWorker.js';
import { lendingWorkerService } from '../../../../aggregates/lending/worker/workerService.js';
import type { LendingTopics } from '../../../../aggregates/lending/wire.js';
import { runHost } from '../../../../cli/host/runHost.js';
import type { PlatformDeps, ServiceComponent } from '../../../../platform/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';
import { freshTopics } from './support.js';

const log = pino({ level: 'silent' });
const clock = () => new Date();

/** The session holding the worker's Consul lock, or null when the lock is free. */
async function lockHolder(topics: LendingTopics, name: string): Promise<string | null> {
  const res = await fetch(`http://${infra().consulAddr}/v1/kv/bookshelf/${topics.workerGroup}/${name}`);
  if (res.status === 404) return null;
  return ((await res.json()) as { Session?: string }[])[0]?.Session ?? null;
}

/** A Kafka-like bus that connected, then lost its broker: every call after the connect fails. */
function unreachableBus(): EventBus {
  const fail = () => Promise.reject(new EventLibError('EVT_ERR_CONNECTION', 'cannot reach Kafka at k:9092'));
  return {
    kind: 'kafka',
    ensureTopic: fail,
    publish: fail,
    subscribe: fail,
    close: () => Promise.resolve(),
  } as unknown as EventBus;
}

describe('a lending worker start that fails releases its Consul lock', () => {
  it('runLendingWorker: the lock taken before the bus failed is free again, so a retry starts at once', async () => {
    const { topics } = freshTopics();
    const name = uniqueName('w');
    const consul = { addr: infra().consulAddr };
    const opts = { name, topics, config: lendingConfig({}), consul };

    await expect(runLendingWorker({ bus: unreachableBus(), log, clock }, opts)).rejects.toThrow(
      'cannot reach Kafka at k:9092',
    );
    expect(await lockHolder(topics, name)).toBeNull();

    const bus = await createEventBus({ kind: 'memory' });
    const retry = await runLendingWorker({ bus, log, clock }, opts);
    expect(retry.lock.kind).toBe('consul');
    expect(await lockHolder(topics, name)).not.toBeNull();
    await retry.close();
    await bus.close();
  });

  it('runHost: a service that fails before the worker does stops the worker too, which frees its lock', async () => {
    const { topics } = freshTopics();
    const name = uniqueName('w');
    const bus = await createEventBus({ kind: 'memory' });
    const deps: PlatformDeps = { bus, registry: createRegistry({ kind: 'memory' }, log), log, clock };
    const worker = await lendingWorkerService(deps, {
      identity: { name: 'lendingworker', id: name, tags: ['lending'] },
      topics,
      config: lendingConfig({}),
      bus: { kind: 'memory' },
      registry: { kind: 'consul', addr: infra().consulAddr, secure: false },
    });
    // Fails once the worker (created before the host starts, like every component of `bookshelf up`) holds its lock.
    const broken: ServiceComponent = {
      identity: { name: 'broken', id: 'broken-1', tags: [] },
      description: 'fails to start',
      routes: async () => {
        await waitFor(() => lockHolder(topics, name), { what: 'the worker lock', timeoutMs: 30_000 });
        throw new Error('broken failed to start');
      },
      readiness: () => ({ ready: false, checks: {} }),
      stop: async () => undefined,
    };
    const host = runHost(
      [
        { component: broken, host: '127.0.0.1', port: 0 },
        { component: worker, host: '127.0.0.1', port: 0 },
      ],
      deps,
      { signals: false, exit: () => undefined },
    );
    await expect(host).rejects.toThrow('broken failed to start');
    expect(await lockHolder(topics, name)).toBeNull();

    const again = await createEventBus({ kind: 'memory' });
    const retry = await runLendingWorker(
      { bus: again, log, clock },
      { name, topics, config: lendingConfig({}), consul: { addr: infra().consulAddr } },
    );
    await retry.close();
    await again.close();
  });
});
