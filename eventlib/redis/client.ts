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
 * Creates and connects a client. The first connection is retried with backoff (a refused port) for at most
 * `connectTimeoutMs`, a server that accepts but never answers included; then it is one EVT_ERR_CONNECTION,
 * `cannot reach Redis at <where> within <n> ms (<last error>)`, and a refusal retrying cannot change (AUTH, missing
 * credentials, TLS) is thrown at once. After that node-redis reconnects with a capped backoff.
 */
export async function connectRedis(
  redis: RedisModule,
  options: RedisBusOptions,
  log: Logger,
  role: string,
): Promise<RedisClient> {
  const target = describeTarget(options);
  const timeoutMs = options.connectTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  let connected = false;
  let lastError: unknown;
  const socket: Record<string, unknown> = {
    connectTimeout: Math.min(5_000, timeoutMs),
    reconnectStrategy: (retries: number, cause: Error) => {
      if (connected) return Math.min(50 * 2 ** retries, 2_000);
      lastError = cause;
      const wait = Math.min(100 * 2 ** retries, 1_000);
      const reachable = translateRedisError(cause, 'connecting').code !== 'EVT_ERR_CONNECTION';
      return reachable || Date.now() + wait >= deadline ? cause : wait;
    },
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
    else log.debug({ err: (err as Error).message, role }, 'Redis not reachable yet; retrying');
  });
  // A PING as part of connecting: a server that wants credentials nobody gave answers the first command with NOAUTH,
  // which must fail the start (EVT_ERR_AUTH), not the first publish.
  const connecting = client.connect().then(() => client.ping());
  connecting.catch(() => undefined); // settles after the deadline when it loses the race
  const noAnswer = new Error('the server accepted the connection but did not answer');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connecting,
      new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(noAnswer), timeoutMs))),
    ]);
  } catch (err) {
    if (client.isOpen) client.destroy();
    const translated = translateRedisError(err, `connecting to Redis at ${target}`);
    if (err !== noAnswer && translated.code !== 'EVT_ERR_CONNECTION') throw translated;
    const detail = String(((err === noAnswer ? lastError : err) as Error | undefined)?.message ?? noAnswer.message);
    throw new EventLibError(
      'EVT_ERR_CONNECTION',
      `cannot reach Redis at ${target} within ${timeoutMs} ms (${detail.split('\n')[0]})`,
      { cause: err === noAnswer ? (lastError ?? err) : err },
    );
  } finally {
    clearTimeout(timer);
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
