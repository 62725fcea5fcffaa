import { createClient } from 'redis';
import { z } from 'zod';

/** How the lending worker reaches Redis: the seed's `-a host:port --db --password --tls`, or a URL. */
export const RedisTargetSchema = z
  .object({
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://...'),
    db: z.int().min(0).max(1_000_000).optional(),
    password: z.string().optional(),
    tls: z.boolean().optional(),
  })
  .readonly();
export type RedisTarget = z.infer<typeof RedisTargetSchema>;

export type LendingRedisClient = ReturnType<typeof createClient>;

/** A connected node-redis client of its own (WATCH and blocking reads each need their own connection). */
export async function connectLendingRedis(target: RedisTarget): Promise<LendingRedisClient> {
  const client = createClient({
    url: target.url,
    ...(target.db !== undefined ? { database: target.db } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    socket: {
      connectTimeout: 5_000,
      ...(target.tls ? { tls: true as const } : {}),
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  client.on('error', () => undefined); // reconnects by itself; failures surface on the commands that need it
  await client.connect();
  return client;
}

export async function closeLendingRedis(client: LendingRedisClient | undefined): Promise<void> {
  if (!client?.isOpen) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}
