import { randomUUID } from 'node:crypto';
import type * as NodeRedis from 'redis';
import { DiscoError } from '../errors.js';
import { isTlsFailure, TLS_HINT } from '../tls.js';
import type { LoggerLike } from '../logger.js';
import { InstanceLockHeldError, signal, type InstanceLock } from './port.js';
import type { RedisLockOptions } from './schema.js';

type RedisClient = ReturnType<(typeof NodeRedis)['createClient']>;

/** Extends the lock only while this holder still owns it (a rule-free compare-and-expire). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * `SET key token NX PX ttl` on a connection of its own (node-redis, loaded on first use), renewed every ttl/3 by
 * compare-and-expire. A crashed holder stops renewing and the key expires after `ttlMs`. `force` overwrites the key;
 * the old holder's next renewal fails and its `lost` resolves. A key that vanished (expired while Redis was
 * unreachable, a restart, a flush) is taken again when Redis answers, unless another holder has it by then: only a
 * lock held by somebody else is lost.
 */
export async function acquireRedisLock(opts: RedisLockOptions, log: LoggerLike): Promise<InstanceLock> {
  const { ttlMs } = opts;
  const key = opts.key ?? `bookshelf:lock:${opts.name}`;
  const token = `${process.pid}-${randomUUID()}`;
  const client = await connect(opts);
  try {
    const set = await client.set(key, token, opts.force ? { PX: ttlMs } : { NX: true, PX: ttlMs });
    if (set !== 'OK') throw new InstanceLockHeldError(opts, `Redis key ${key}`);
  } catch (err) {
    await close(client);
    throw translate(err, opts.url);
  }
  const lost = signal<string>();
  let released = false;
  const timer = setInterval(
    () => {
      client
        .eval(RENEW, { keys: [key], arguments: [token, String(ttlMs)] })
        .then(async (renewed) => {
          if (renewed !== 0 || released) return;
          // Gone, not ours: free again (it vanished while Redis was away) -> take it back; held by another -> lost.
          if ((await client.set(key, token, { NX: true, PX: ttlMs })) === 'OK') {
            log.warn({ key }, 'the lock had expired (Redis was unreachable); took it again');
            return;
          }
          if (released) return;
          released = true;
          clearInterval(timer);
          lost.fire(`the lock ${key} was taken over by another ${opts.holderLabel}`);
        })
        .catch((err: unknown) => log.warn({ key, err: (err as Error).message }, 'could not renew the lock'));
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  let releasing: Promise<void> | undefined;
  return {
    name: opts.name,
    kind: 'redis',
    lost: lost.promise,
    release: () =>
      (releasing ??= (async () => {
        clearInterval(timer);
        if (!released) {
          released = true;
          await client.eval(RELEASE, { keys: [key], arguments: [token] }).catch(() => undefined);
        }
        await close(client);
      })()),
  };
}

/**
 * A connected client of its own; it reconnects by itself, and failures surface on the commands that need it. The
 * first connection is retried for at most `connectTimeoutMs` (a server that accepts and never answers included),
 * then it is DISCO_ERR_UNAVAILABLE; refused credentials end it at once (DISCO_ERR_FORBIDDEN), and so does a TLS failure
 * (DISCO_ERR_TLS).
 */
async function connect(opts: RedisLockOptions): Promise<RedisClient> {
  const { createClient } = await import('redis');
  let connected = false;
  const client = createClient({
    url: opts.url,
    ...(opts.db !== undefined ? { database: opts.db } : {}),
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    socket: {
      connectTimeout: Math.min(5_000, opts.connectTimeoutMs),
      ...(opts.tls ? { tls: true as const } : {}),
      ...(typeof opts.tls === 'object' && opts.tls.ca ? { ca: [...opts.tls.ca] } : {}),
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && (DENIED.test(cause.message) || isTlsFailure(cause)) ? cause : Math.min(50 * 2 ** retries, 2_000),
    },
  });
  let lastError: unknown;
  client.on('error', (err: unknown) => (lastError = err));
  const connecting = client.connect();
  connecting.catch(() => undefined); // settles after the deadline when it loses the race
  const noAnswer = new Error('the server accepted the connection but did not answer');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connecting,
      new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(noAnswer), opts.connectTimeoutMs))),
    ]);
  } catch (err) {
    if (client.isOpen) client.destroy();
    if (err !== noAnswer) throw translate(err, opts.url);
    const detail = String((lastError as Error | undefined)?.message ?? noAnswer.message).split('\n')[0];
    throw new DiscoError(
      'DISCO_ERR_UNAVAILABLE',
      `redis lock: cannot reach Redis at ${redact(opts.url)} within ${opts.connectTimeoutMs} ms (${detail})`,
      { cause: lastError ?? err },
    );
  } finally {
    clearTimeout(timer);
  }
  connected = true;
  return client;
}

const DENIED = /^(NOAUTH|WRONGPASS|NOPERM)\b/;
const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

async function close(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}

/** A Redis failure while acquiring, as a discolib error; the message never carries the URL's credentials. */
function translate(err: unknown, url: string): unknown {
  if (err instanceof DiscoError) return err;
  const detail = String((err as Error | undefined)?.message ?? err).split('\n')[0];
  const target = redact(url);
  if (isTlsFailure(err)) {
    return new DiscoError('DISCO_ERR_TLS', `redis lock: ${detail} at ${target} (${TLS_HINT})`, { cause: err });
  }
  const denied = DENIED.test(detail ?? '');
  return new DiscoError(
    denied ? 'DISCO_ERR_FORBIDDEN' : 'DISCO_ERR_UNAVAILABLE',
    `redis lock: ${denied ? 'permission denied by' : 'request failed at'} ${target}: ${detail}`,
    { cause: err },
  );
}
