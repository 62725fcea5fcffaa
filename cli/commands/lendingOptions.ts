import { Option, type Command } from 'commander';
import { createEventBus, type EventBus } from '../../eventlib/index.js';
import type { Logger } from 'pino';
import { type RedisTarget } from '../../aggregates/lending/services.js';
import { connectTimeoutSchema, DEFAULT_CONNECT_TIMEOUT_MS } from '../../platform/index.js';

/** The seed's connection flags (`-a/--address --db --password --tls`) plus `--broker` for Kafka. */
export interface ConnectionFlags {
  address?: string;
  db?: string;
  password?: string;
  tls?: boolean;
  broker?: string;
  namespace?: string;
  connectTimeout?: string;
}

/** `connectTimeoutMs`: how long start-up waits for Kafka, Redis or Consul to answer (`--connect-timeout`). */
export type Transport =
  | { readonly kind: 'kafka'; readonly brokers: string[]; readonly connectTimeoutMs: number }
  | { readonly kind: 'redis'; readonly redis: RedisTarget; readonly connectTimeoutMs: number };

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-a, --address <host:port>', 'Redis address or redis:// URL (env BOOKSHELF_REDIS; default 127.0.0.1:6379)')
    .option('--db <n>', 'Redis database number')
    .addOption(new Option('--password <password>', 'Redis password').env('BOOKSHELF_REDIS_PASSWORD'))
    .option('--tls', 'connect to Redis with TLS')
    .option('--broker <host:port>', 'Kafka broker(s), comma separated: selects Kafka (env BOOKSHELF_BROKER)')
    .option('--namespace <prefix>', 'prefix of the lending topics and keys (tests)', '')
    .option(
      '--connect-timeout <ms>',
      `give up when Kafka, Redis or Consul does not answer within this many ms (env BOOKSHELF_CONNECT_TIMEOUT_MS; default ${DEFAULT_CONNECT_TIMEOUT_MS})`,
    );
}

/** `--connect-timeout`, else BOOKSHELF_CONNECT_TIMEOUT_MS, else 10000; the services' schema and message. */
export function connectTimeoutOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): number {
  const [source, value] =
    flags.connectTimeout !== undefined
      ? ['--connect-timeout', flags.connectTimeout]
      : ['BOOKSHELF_CONNECT_TIMEOUT_MS', env.BOOKSHELF_CONNECT_TIMEOUT_MS];
  if (value === undefined || value === '') return DEFAULT_CONNECT_TIMEOUT_MS;
  const parsed = connectTimeoutSchema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(`${source} ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${JSON.stringify(value)})`);
  }
  return parsed.data;
}

/** Kafka with --broker (or BOOKSHELF_BROKER), else Redis at --address (or BOOKSHELF_REDIS), like the seed. */
export function transportOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Transport {
  const connectTimeoutMs = connectTimeoutOf(flags, env);
  const broker = flags.address ? undefined : (flags.broker ?? (env.BOOKSHELF_REDIS ? undefined : env.BOOKSHELF_BROKER));
  if (flags.broker && flags.address)
    throw new UsageError('choose one transport: --broker (Kafka) or --address (Redis)');
  if (broker) {
    const brokers = broker
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    if (brokers.length === 0 || brokers.some((b) => !/^[^\s:,]+:\d{1,5}$/.test(b))) {
      throw new UsageError(`--broker must be host:port[,host:port...] (got ${JSON.stringify(broker)})`);
    }
    return { kind: 'kafka', brokers, connectTimeoutMs };
  }
  const address = flags.address ?? env.BOOKSHELF_REDIS ?? '127.0.0.1:6379';
  const tls = flags.tls === true || address.startsWith('rediss://');
  const url = /^rediss?:\/\//.test(address) ? address : `${tls ? 'rediss' : 'redis'}://${address}`;
  if (!/^rediss?:\/\/[^\s/]+(\/\d+)?$/.test(url)) {
    throw new UsageError(`--address must be host:port or redis://host:port (got ${JSON.stringify(address)})`);
  }
  let db: number | undefined;
  if (flags.db !== undefined) {
    db = Number(flags.db);
    if (!Number.isInteger(db) || db < 0) throw new UsageError(`--db must be a database number (got ${flags.db})`);
  }
  return {
    kind: 'redis',
    connectTimeoutMs,
    redis: {
      url,
      ...(db !== undefined ? { db } : {}),
      ...(flags.password !== undefined ? { password: flags.password } : {}),
      ...(tls ? { tls: true } : {}),
    },
  };
}

/** An eventlib bus on the chosen transport; consumer timings short enough for a quick failover on Kafka. */
export function openTransportBus(transport: Transport, clientId: string, log: Logger): Promise<EventBus> {
  if (transport.kind === 'kafka') {
    return createEventBus({
      kind: 'kafka',
      brokers: transport.brokers,
      clientId,
      logger: log,
      consumer: { sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 },
      connectTimeoutMs: transport.connectTimeoutMs,
    });
  }
  const { url, db, password, tls } = transport.redis;
  return createEventBus({
    kind: 'redis',
    url,
    logger: log,
    connectTimeoutMs: transport.connectTimeoutMs,
    maxLen: null,
    ...(db !== undefined ? { db } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls: true } : {}),
  });
}
