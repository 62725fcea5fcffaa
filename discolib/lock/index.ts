import { registryLogger, type LoggerLike } from '../logger.js';
import { parseOrThrow } from '../schema.js';
import { acquireMemoryLock } from './memory.js';
import type { InstanceLock } from './port.js';
import { instanceLockOptionsSchema, type InstanceLockOptions } from './schema.js';

export { DEFAULT_LOCK_TTL_MS, InstanceLockHeldError, type InstanceLock, type InstanceLockKind } from './port.js';
export type { InstanceLockOptions } from './schema.js';

/**
 * Acquires the instance lock `options.name`, in the store named by `options.kind`:
 *
 * - `{ kind: 'memory' }`: this process only (the embedded platform).
 * - `{ kind: 'redis', url, db?, username?, password?, tls? }`: `SET NX PX` on a connection of its own.
 * - `{ kind: 'consul', addr, secure?, token? }`: a KV key held by a session bound to a TTL check of the holder.
 *
 * Common options: `key` (where the lock lives; default from the name), `force` (take it over), `ttlMs` (default
 * 10 s), `label`/`holderLabel` (the words of the messages). Options are validated (DISCO_ERR_INVALID) and frozen.
 * Rejects with `DISCO_ERR_LOCK_HELD` (an `InstanceLockHeldError`, `exitCode` 1) when another live holder has the
 * lock and `force` is not set. node-redis and the Consul client are loaded only when asked for.
 */
export async function acquireInstanceLock(options: InstanceLockOptions, logger?: LoggerLike): Promise<InstanceLock> {
  const opts = Object.freeze(parseOrThrow(instanceLockOptionsSchema, options, 'acquireInstanceLock'));
  const log = registryLogger(logger, `lock-${opts.kind}`).child({ lock: opts.name });
  switch (opts.kind) {
    case 'memory':
      return acquireMemoryLock(opts);
    case 'redis': {
      const { acquireRedisLock } = await import('./redis.js');
      return acquireRedisLock(opts, log);
    }
    case 'consul': {
      const { acquireConsulLock } = await import('./consul.js');
      return acquireConsulLock(opts, log);
    }
  }
}
