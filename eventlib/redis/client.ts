import type { Logger } from 'pino';
import type * as NodeRedis from 'redis';
import { EventLibError } from '../errors.js';
import type { RedisBusOptions } from '../options.js';
import { translateRedisError } from './errors.js';

export type RedisModule = typeof NodeRedis;
export type RedisClient = ReturnType<RedisModule['createClient']>;

/** Loads node-redis on first use, so the memory and Kafka paths never need it. */
export async function loadRedis(): Promise<RedisModule> {
  try {
    return await import('redis');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new EventLibError(
        'EVT_ERR_MISSING_DEPENDENCY',
        'the redis event bus needs node-redis: npm install redis@5',
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Where the options point, without secrets, for logs and messages. */
export function describeTarget(options: RedisBusOptions): string {
  if (options.socket && 'path' in options.socket) return `unix:${options.socket.path}`;
  if (options.socket) return `${options.socket.host}:${options.socket.port}`;
  return (options.url ?? 'redis://127.0.0.1:6379').replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Creates and connects a client. The first connection fails fast (EVT_ERR_CONNECTION / EVT_ERR_AUTH); after that
 * node-redis reconnects with a capped backoff and queues commands meanwhile.
 */
export async function connectRedis(
  redis: RedisModule,
  options: RedisBusOptions,
  log: Logger,
  role: string,
): Promise<RedisClient> {
  let connected = false;
  const socket: Record<string, unknown> = {
    connectTimeout: 5_000,
    reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, 2_000) : cause),
  };
  if (options.socket && 'path' in options.socket) socket.path = options.socket.path;
  else if (options.socket) Object.assign(socket, { host: options.socket.host, port: options.socket.port });
  if (options.tls) Object.assign(socket, { tls: true }, typeof options.tls === 'object' ? options.tls : {});
  // Fail fast while disconnected (EVT_ERR_CONNECTION) instead of queueing: a publish never hangs on a dead server.
  const config: Record<string, unknown> = { socket, disableOfflineQueue: true };
  if (options.url) config.url = options.url;
  else if (!options.socket) config.url = 'redis://127.0.0.1:6379';
  if (options.db !== undefined) config.database = options.db;
  if (options.username !== undefined) config.username = options.username;
  if (options.password !== undefined) config.password = options.password;

  const client: RedisClient = redis.createClient(config);
  client.on('error', (err: unknown) => {
    if (connected) log.warn({ err: (err as Error).message, role }, 'Redis connection error; reconnecting');
  });
  try {
    await client.connect();
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw translateRedisError(err, `connecting to Redis at ${describeTarget(options)}`);
  }
  connected = true;
  return client;
}

/** Closes gracefully, or drops the connection if that fails. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}
