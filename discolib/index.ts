import { ConsulRegistry } from './consul/registry.js';
import { registryLogger, type LoggerLike } from './logger.js';
import { MemoryRegistry } from './memory/registry.js';
import type { ServiceRegistry } from './port.js';
import { parseOrThrow, registryOptionsSchema, type RegistryOptions } from './schema.js';

export type {
  DiscoverQuery,
  HealthCheck,
  ServiceInstance,
  ServiceRegistration,
  ServiceRegistry,
  WatchHandle,
} from './port.js';
export { DISCO_ERROR_CODES, DiscoError, isDiscoError, type DiscoErrorCode } from './errors.js';
export { resolveSrv, type ResolveSrvOptions, type SrvTarget } from './dns.js';
export { parseDuration, type RegistryOptions } from './schema.js';
export type { LoggerLike } from './logger.js';
export {
  acquireInstanceLock,
  DEFAULT_LOCK_TTL_MS,
  InstanceLockHeldError,
  type InstanceLock,
  type InstanceLockKind,
  type InstanceLockOptions,
} from './lock/index.js';

/**
 * A registry from options: `{ kind: 'memory' }` (one process; `health: 'probe' | 'passing'`) or
 * `{ kind: 'consul', addr: 'host:port', token?, secure? }`. Options are validated (DISCO_ERR_INVALID) and frozen.
 * The Consul client is loaded on first use, so the memory path never touches it.
 */
export function createRegistry(options: RegistryOptions, logger?: LoggerLike): ServiceRegistry {
  const opts = Object.freeze(parseOrThrow(registryOptionsSchema, options, 'createRegistry'));
  const log = registryLogger(logger, opts.kind);
  return opts.kind === 'memory' ? new MemoryRegistry(opts, log) : new ConsulRegistry(opts, log);
}

/**
 * `createRegistry`, then (Consul) waits until the agent answers, for at most `connectTimeoutMs` (default 10 s):
 * DISCO_ERR_UNAVAILABLE `cannot reach Consul at <addr> within <n> ms (...)` when it does not, the registry closed.
 * For start-up, so an unreachable agent fails the process before anything else is taken.
 */
export async function connectRegistry(options: RegistryOptions, logger?: LoggerLike): Promise<ServiceRegistry> {
  const registry = createRegistry(options, logger);
  if (registry instanceof ConsulRegistry) {
    try {
      await registry.connect();
    } catch (err) {
      await registry.close().catch(() => undefined);
      throw err;
    }
  }
  return registry;
}
