import { Option, type Command } from 'commander';
import { createEventBus, type EventBus } from '../../eventlib/index.js';
import type { Logger } from 'pino';
import { type RedisTarget } from '../../aggregates/lending/services.js';
import {
  connectionSecurity,
  connectTimeoutSchema,
  DEFAULT_CONNECT_TIMEOUT_MS,
  SECURITY_FLAGS,
  type ConnectionSecurity,
  type KafkaSaslConfig,
  type SecurityInput,
  type TlsConfig,
} from '../../platform/index.js';

/**
 * The seed's connection flags (`-a/--address --db --password --tls`) plus `--broker` for Kafka, and the credentials
 * and TLS of `bookshelf up` (`--kafka-sasl-*`, `--kafka-tls`, `--kafka-ca-file`, `--redis-username`,
 * `--redis-password-file`, `--redis-ca-file`), with the same env vars.
 */
export interface ConnectionFlags {
  address?: string;
  db?: string;
  password?: string;
  tls?: boolean;
  broker?: string;
  namespace?: string;
  connectTimeout?: string;
  redisUsername?: string;
  redisPasswordFile?: string;
  redisCaFile?: string;
  kafkaSaslMechanism?: string;
  kafkaSaslUsername?: string;
  kafkaSaslPassword?: string;
  kafkaSaslPasswordFile?: string;
  kafkaTls?: boolean;
  kafkaCaFile?: string;
}

/** `connectTimeoutMs`: how long start-up waits for Kafka, Redis or Consul to answer (`--connect-timeout`). */
export type Transport =
  | {
      readonly kind: 'kafka';
      readonly brokers: string[];
      readonly connectTimeoutMs: number;
      readonly sasl?: KafkaSaslConfig;
      readonly tls?: TlsConfig;
    }
  | { readonly kind: 'redis'; readonly redis: RedisTarget; readonly connectTimeoutMs: number };

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-a, --address <host:port>', 'Redis address or redis:// URL (env BOOKSHELF_REDIS; default 127.0.0.1:6379)')
    .option('--db <n>', 'Redis database number')
    .addOption(
      new Option('--password <password>', 'Redis password (prefer the env var or --redis-password-file)').env(
        'BOOKSHELF_REDIS_PASSWORD',
      ),
    )
    .addOption(new Option('--redis-username <name>', 'Redis ACL user').env('BOOKSHELF_REDIS_USERNAME'))
    .addOption(
      new Option('--redis-password-file <path>', 'file holding the Redis password').env(
        'BOOKSHELF_REDIS_PASSWORD_FILE',
      ),
    )
    .option('--tls', 'connect to Redis with TLS')
    .addOption(
      new Option('--redis-ca-file <path>', 'PEM CA certificate(s) to trust for TLS to Redis; turns TLS on').env(
        'BOOKSHELF_REDIS_CA_FILE',
      ),
    )
    .option('--broker <host:port>', 'Kafka broker(s), comma separated: selects Kafka (env BOOKSHELF_BROKER)')
    .addOption(
      new Option('--kafka-sasl-mechanism <mechanism>', 'plain, scram-sha-256 or scram-sha-512 (default)').env(
        'BOOKSHELF_KAFKA_SASL_MECHANISM',
      ),
    )
    .addOption(new Option('--kafka-sasl-username <name>', 'Kafka SASL user').env('BOOKSHELF_KAFKA_SASL_USERNAME'))
    .addOption(
      new Option(
        '--kafka-sasl-password <password>',
        'Kafka SASL password (prefer the env var or --kafka-sasl-password-file)',
      ).env('BOOKSHELF_KAFKA_SASL_PASSWORD'),
    )
    .addOption(
      new Option('--kafka-sasl-password-file <path>', 'file holding the Kafka SASL password').env(
        'BOOKSHELF_KAFKA_SASL_PASSWORD_FILE',
      ),
    )
    .addOption(new Option('--kafka-tls', 'connect to Kafka with TLS').env('BOOKSHELF_KAFKA_TLS'))
    .addOption(
      new Option('--kafka-ca-file <path>', 'PEM CA certificate(s) to trust for TLS to Kafka; turns TLS on').env(
        'BOOKSHELF_KAFKA_CA_FILE',
      ),
    )
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
    const { kafka } = securityOf(flags);
    return {
      kind: 'kafka',
      brokers,
      connectTimeoutMs,
      ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
      ...(kafka.tls ? { tls: kafka.tls } : {}),
    };
  }
  const { redis } = securityOf(flags);
  const address = flags.address ?? env.BOOKSHELF_REDIS ?? '127.0.0.1:6379';
  const tls = flags.tls === true || address.startsWith('rediss://') || redis.tls !== undefined;
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
      ...(redis.username !== undefined ? { username: redis.username } : {}),
      ...(redis.password !== undefined ? { password: redis.password } : {}),
      ...(tls ? { tls: redis.tls?.ca ? { ca: [...redis.tls.ca] } : true } : {}),
    },
  };
}

/** The lending commands' names of the security inputs (`--password` is the seed's Redis password). */
const LENDING_SECURITY_FLAGS = { ...SECURITY_FLAGS, redisPassword: '--password' };

/** The credentials and TLS of the flags, files read (a UsageError, exit 2, for a bad one). */
export function securityOf(
  flags: ConnectionFlags & { consulToken?: string; consulTokenFile?: string; consulCaFile?: string },
): ConnectionSecurity {
  const input: SecurityInput = {
    kafkaSaslMechanism: flags.kafkaSaslMechanism,
    kafkaSaslUsername: flags.kafkaSaslUsername,
    kafkaSaslPassword: flags.kafkaSaslPassword,
    kafkaSaslPasswordFile: flags.kafkaSaslPasswordFile,
    kafkaTls: flags.kafkaTls,
    kafkaCaFile: flags.kafkaCaFile,
    redisUsername: flags.redisUsername,
    redisPassword: flags.password,
    redisPasswordFile: flags.redisPasswordFile,
    redisCaFile: flags.redisCaFile,
    consulToken: flags.consulToken,
    consulTokenFile: flags.consulTokenFile,
    consulCaFile: flags.consulCaFile,
  };
  try {
    return connectionSecurity(input, LENDING_SECURITY_FLAGS);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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
      ...(transport.sasl ? { sasl: { ...transport.sasl } } : {}),
      ...(transport.tls ? { ssl: transport.tls.ca ? { ca: [...transport.tls.ca] } : true } : {}),
    });
  }
  const { url, db, username, password, tls } = transport.redis;
  return createEventBus({
    kind: 'redis',
    url,
    logger: log,
    connectTimeoutMs: transport.connectTimeoutMs,
    maxLen: null,
    ...(db !== undefined ? { db } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls: typeof tls === 'object' && tls.ca ? { ca: [...tls.ca] } : true } : {}),
  });
}
