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
