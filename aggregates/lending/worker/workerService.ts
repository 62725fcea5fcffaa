import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../../platform/index.js';
import type { LendingConfig } from '../domain/index.js';
import type { LendingTopics } from '../wire.js';
import type { RedisTarget } from '../redis/connection.js';
import { runLendingWorker, type RunningWorker } from './runWorker.js';
import { type BusConfig, type RegistryConfig } from '../../../platform/index.js';

export interface LendingWorkerServiceOptions {
  identity: ComponentIdentity;
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
 *
 * The service opens HTTP at once and is not ready until it holds its lock and runs: restarted right after a crash,
 * it waits for its own old lock to expire instead of failing. Losing the lock to another worker, or a start-up
 * error, fails the component (the host stops with exit 1).
 */
export async function lendingWorkerService(
  deps: PlatformDeps,
  opts: LendingWorkerServiceOptions,
): Promise<ServiceComponent> {
  let running: RunningWorker | undefined;
  let stopping = false;
  const abort = new AbortController();
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  failed.catch(() => undefined);
  const connectTimeoutMs =
    (opts.bus.kind !== 'memory' ? opts.bus.connectTimeoutMs : undefined) ??
    (opts.registry.kind === 'consul' ? opts.registry.connectTimeoutMs : undefined);
  const starting = runLendingWorker(deps, {
    name: opts.identity.id,
    topics: opts.topics,
    config: opts.config,
    waitForLock: true,
    signal: abort.signal,
    ...(opts.force ? { force: true } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(opts.bus.kind === 'redis' ? { redis: redisTarget(opts.bus) } : {}),
    ...(opts.registry.kind === 'consul'
      ? {
          consul: {
            addr: opts.registry.addr,
            secure: opts.registry.secure,
            ...(opts.registry.token ? { token: opts.registry.token } : {}),
            ...(opts.registry.ca ? { ca: opts.registry.ca } : {}),
          },
        }
      : {}),
  }).then(
    async (r) => {
      if (stopping) {
        await r.close();
        return undefined;
      }
      running = r;
      void r.stopped.then((reason) => {
        if (!stopping) fail(new Error(`lending worker ${opts.identity.id} stopped: ${reason}`));
      });
      return r;
    },
    (err: unknown) => {
      if (!stopping) fail(err as Error);
      return undefined;
    },
  );

  return {
    identity: opts.identity,
    description: 'The lending worker: decides book requests and returns',
    routes(app) {
      app.get(
        '/',
        { schema: { summary: 'The lending worker: transport, lock and counters', tags: ['lending'] } },
        async () => ({
          name: opts.identity.id,
          transport: running?.worker.transport ?? opts.bus.kind,
          lock: running?.lock.kind ?? 'waiting',
          ready: running?.worker.ready() ?? false,
          stats: running?.worker.stats() ?? {},
        }),
      );
    },
    readiness: () =>
      running
        ? {
            ready: running.worker.ready(),
            checks: { transport: running.worker.transport, lock: running.lock.kind },
          }
        : { ready: false, checks: { lock: 'waiting for the worker name lock' } },
    failed,
    stop: async () => {
      stopping = true;
      abort.abort();
      await (await starting)?.close();
    },
  };
}

/** The worker's own Redis connections (WATCH, blocking reads, the lock) use the bus's URL, credentials and TLS. */
function redisTarget(bus: Extract<BusConfig, { kind: 'redis' }>): RedisTarget {
  return {
    url: bus.url,
    ...(bus.username !== undefined ? { username: bus.username } : {}),
    ...(bus.password !== undefined ? { password: bus.password } : {}),
    ...(bus.tls ? { tls: bus.tls.ca ? { ca: [...bus.tls.ca] } : true } : {}),
  };
}
