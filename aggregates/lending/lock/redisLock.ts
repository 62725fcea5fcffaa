import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { closeLendingRedis, connectLendingRedis, type RedisTarget } from '../redis/connection.js';
import { DEFAULT_LOCK_TTL_MS, signal, WorkerLockError, type InstanceLock, type LockOptions } from './port.js';

/** Extends the lock only while this holder still owns it (a rule-free compare-and-expire). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * `SET key token NX PX ttl`, renewed every ttl/3 by compare-and-expire. A crashed holder stops renewing and the key
 * expires after `ttlMs`. `--force` overwrites the key; the old holder's next renewal fails and it stops. A key that
 * expired while Redis was unreachable (a restart, a network cut) is taken again when Redis answers, unless another
 * worker holds it by then: only a lock held by somebody else is lost.
 */
export async function acquireRedisLock(
  target: RedisTarget,
  key: string,
  name: string,
  opts: LockOptions & { log: Logger },
): Promise<InstanceLock> {
  const ttlMs = opts.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const token = `${process.pid}-${randomUUID()}`;
  const client = await connectLendingRedis(target);
  try {
    const set = await client.set(key, token, opts.force ? { PX: ttlMs } : { NX: true, PX: ttlMs });
    if (set !== 'OK') throw new WorkerLockError(name, `Redis key ${key}`);
  } catch (err) {
    await closeLendingRedis(client);
    throw err;
  }
  const lost = signal<string>();
  let released = false;
  const timer = setInterval(
    () => {
      client
        .eval(RENEW, { keys: [key], arguments: [token, String(ttlMs)] })
        .then(async (renewed) => {
          if (renewed !== 0 || released) return;
          // Gone, not ours: free again (it expired while Redis was away) -> take it back; held by another -> lost.
          if ((await client.set(key, token, { NX: true, PX: ttlMs })) === 'OK') {
            opts.log.warn({ key }, 'the worker lock had expired (Redis was unreachable); took it again');
            return;
          }
          if (released) return;
          released = true;
          clearInterval(timer);
          lost.fire(`the lock ${key} was taken over by another worker`);
        })
        .catch((err: unknown) => opts.log.warn({ err: (err as Error).message }, 'could not renew the worker lock'));
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  return {
    name,
    kind: 'redis',
    lost: lost.promise,
    release: async () => {
      clearInterval(timer);
      if (!released) {
        released = true;
        await client.eval(RELEASE, { keys: [key], arguments: [token] }).catch(() => undefined);
      }
      await closeLendingRedis(client);
    },
  };
}
