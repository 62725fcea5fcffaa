import { createClient } from 'redis';
import { z } from 'zod';
import { EventLibError } from '../../../eventlib/index.js';

/** How the lending worker reaches Redis: the seed's `-a host:port --db --password --tls`, or a URL. */
export const RedisTargetSchema = z
  .object({
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://...'),
    db: z.int().min(0).max(1_000_000).optional(),
    /** ACL user (Redis 6+); the URL's user when absent. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** TLS (also implied by `rediss://`): `true`, or `{ ca }` to trust a private CA's PEM certificates. */
    tls: z.union([z.boolean(), z.object({ ca: z.array(z.string()).optional() })]).optional(),
    /** How long a connection may take to answer at start (`--connect-timeout`); default 10 s. */
    connectTimeoutMs: z.int().min(100).max(600_000).optional(),
  })
  .readonly();
export type RedisTarget = z.infer<typeof RedisTargetSchema>;

export type LendingRedisClient = ReturnType<typeof createClient>;

/** Redis refused the credentials, or TLS failed on the certificate or the protocol: retrying changes nothing. */
function refusedForGood(err: Error): 'EVT_ERR_AUTH' | 'EVT_ERR_TLS' | undefined {
  if (/^(NOAUTH|WRONGPASS|NOPERM)\b/.test(err.message)) return 'EVT_ERR_AUTH';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /CERT|SSL|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|INVALID_CA/.test(code)) {
    return 'EVT_ERR_TLS';
  }
  return undefined;
}

/**
 * A connected node-redis client of its own (WATCH and blocking reads each need their own connection). It
 * reconnects by itself; the first connection gives up after `connectTimeoutMs` (EVT_ERR_CONNECTION), or at once when
 * Redis refuses the credentials (EVT_ERR_AUTH) or TLS fails (EVT_ERR_TLS).
 */
export async function connectLendingRedis(target: RedisTarget): Promise<LendingRedisClient> {
  const timeoutMs = target.connectTimeoutMs ?? 10_000;
  const where = target.url.replace(/\/\/[^@/]*@/, '//***@');
  let connected = false;
  const client = createClient({
    url: target.url,
    ...(target.db !== undefined ? { database: target.db } : {}),
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    socket: {
      connectTimeout: Math.min(5_000, timeoutMs),
      ...(target.tls ? { tls: true as const } : {}),
      ...(typeof target.tls === 'object' && target.tls.ca ? { ca: [...target.tls.ca] } : {}),
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && refusedForGood(cause) ? cause : Math.min(50 * 2 ** retries, 2_000),
    },
  });
  let lastError: unknown;
  client.on('error', (err: unknown) => (lastError = err)); // failures surface on the commands that need it
  // The PING makes missing credentials (NOAUTH on the first command) a failed start.
  const connecting = client.connect().then(async (c) => {
    await c.ping();
    return c;
  });
  connecting.catch(() => undefined); // settles after the deadline when it loses the race
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeoutMs)));
  try {
    if ((await Promise.race([connecting, expired])) !== 'expired') {
      connected = true;
      return client;
    }
  } catch (err) {
    if (client.isOpen) client.destroy();
    const e = ((err as { originalError?: unknown }).originalError ?? err) as Error;
    const code = refusedForGood(e) ?? 'EVT_ERR_CONNECTION';
    throw new EventLibError(code, `connecting to Redis at ${where}: ${String(e.message).split('\n')[0]}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
  if (client.isOpen) client.destroy();
  const detail = (lastError as Error | undefined)?.message ?? 'the server accepted the connection but did not answer';
  throw new EventLibError('EVT_ERR_CONNECTION', `cannot reach Redis at ${where} within ${timeoutMs} ms (${detail})`, {
    cause: lastError,
  });
}

export async function closeLendingRedis(client: LendingRedisClient | undefined): Promise<void> {
  if (!client?.isOpen) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}
