import { createClient } from 'redis';
import { z } from 'zod';
import { EventLibError } from '../../../eventlib/index.js';

/** How the lending worker reaches Redis: the seed's `-a host:port --db --password --tls`, or a URL. */
export const RedisTargetSchema = z
  .object({
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://...'),
    db: z.int().min(0).max(1_000_000).optional(),
    password: z.string().optional(),
    tls: z.boolean().optional(),
    /** How long a connection may take to answer at start (`--connect-timeout`); default 10 s. */
    connectTimeoutMs: z.int().min(100).max(600_000).optional(),
  })
  .readonly();
export type RedisTarget = z.infer<typeof RedisTargetSchema>;

export type LendingRedisClient = ReturnType<typeof createClient>;

/**
 * A connected node-redis client of its own (WATCH and blocking reads each need their own connection). It
 * reconnects by itself; the first connection gives up after `connectTimeoutMs` (EVT_ERR_CONNECTION).
 */
export async function connectLendingRedis(target: RedisTarget): Promise<LendingRedisClient> {
  const timeoutMs = target.connectTimeoutMs ?? 10_000;
  const client = createClient({
    url: target.url,
    ...(target.db !== undefined ? { database: target.db } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    socket: {
      connectTimeout: Math.min(5_000, timeoutMs),
      ...(target.tls ? { tls: true as const } : {}),
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  let lastError: unknown;
  client.on('error', (err: unknown) => (lastError = err)); // failures surface on the commands that need it
  const connecting = client.connect();
  connecting.catch(() => undefined); // settles after the deadline when it loses the race
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeoutMs)));
  try {
    if ((await Promise.race([connecting, expired])) !== 'expired') return client;
  } finally {
    clearTimeout(timer);
  }
  if (client.isOpen) client.destroy();
  const detail = (lastError as Error | undefined)?.message ?? 'the server accepted the connection but did not answer';
  throw new EventLibError(
    'EVT_ERR_CONNECTION',
    `cannot reach Redis at ${target.url.replace(/\/\/[^@/]*@/, '//***@')} within ${timeoutMs} ms (${detail})`,
    { cause: lastError },
  );
}

export async function closeLendingRedis(client: LendingRedisClient | undefined): Promise<void> {
  if (!client?.isOpen) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}
