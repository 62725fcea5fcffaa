import type { PlatformDeps, ServiceComponent, ServiceIdentity } from '../../../cli/host/component.js';
import type { BusConfig, RegistryConfig } from '../../../restlib/index.js';
import type { LendingConfig } from '../domain/index.js';
import type { LendingTopics } from '../wire.js';
import { runLendingWorker } from './runWorker.js';

export interface LendingWorkerServiceOptions {
  identity: ServiceIdentity;
  topics: LendingTopics;
  config: LendingConfig;
  bus: BusConfig;
  registry: RegistryConfig;
  force?: boolean;
}

/**
 * The lending worker hosted like a service (`bookshelf up`, `bookshelf start`, `bookshelf aggregate
 * lending-worker`): its name is the instance id; `GET /` reports its counters. The lock is a Redis key on Redis, a
 * Consul session with Consul, in-process otherwise.
 */
export async function lendingWorkerService(
  deps: PlatformDeps,
  opts: LendingWorkerServiceOptions,
): Promise<ServiceComponent> {
  const running = await runLendingWorker(deps, {
    name: opts.identity.id,
    topics: opts.topics,
    config: opts.config,
    ...(opts.force ? { force: true } : {}),
    ...(opts.bus.kind === 'redis' ? { redis: { url: opts.bus.url } } : {}),
    ...(opts.registry.kind === 'consul'
      ? {
          consul: {
            addr: opts.registry.addr,
            secure: opts.registry.secure,
            ...(opts.registry.token ? { token: opts.registry.token } : {}),
          },
        }
      : {}),
  });
  const { worker, lock } = running;
  return {
    identity: opts.identity,
    description: 'The lending worker: decides book requests and returns',
    routes(app) {
      app.get(
        '/',
        { schema: { summary: 'The lending worker: transport, lock and counters', tags: ['lending'] } },
        async () => ({
          name: worker.name,
          transport: worker.transport,
          lock: lock.kind,
          ready: worker.ready(),
          stats: worker.stats(),
        }),
      );
    },
    readiness: () => ({ ready: worker.ready(), checks: { transport: worker.transport, lock: lock.kind } }),
    stop: () => running.close(),
  };
}
