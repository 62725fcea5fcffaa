import { z } from 'zod';
import {
  ConfigError,
  exitOnConfigProblem,
  loadConfig,
  SOURCE_RANK,
  splitList,
  type ConfigInput,
  type ConfigResult,
  type ExitIo,
  type ExtraOptions,
  type ExtraValues,
  type OptionSpec,
  type ServiceConfig,
  type ServiceDefaults,
  type ValueSource,
  WILDCARD_ADDRESSES,
} from '../restlib/index.js';
import {
  connectionSecurity,
  KAFKA_SASL_MECHANISMS,
  SECRET_FILES,
  SECURITY_FLAGS,
  type KafkaSaslConfig,
  type KafkaSaslMechanism,
  type SecurityInput,
  type TlsConfig,
} from './connectionSecurity.js';

/**
 * The product's configuration (SPEC §5, §8): the bookshelf seed's flags (`--topic --group --broker --delay`, with
 * `--addr --port --name --id --tags` from restlib), plus `--redis`, `--consul`, and the credentials and TLS of each
 * connection (`--kafka-sasl-*`, `--kafka-tls`, `--kafka-ca-file`, `--redis-username/-password(-file)`,
 * `--redis-ca-file`, `--consul-token(-file)`, `--consul-ca-file`; SPEC §9), each with its env vars. Flags win over `BOOKSHELF_*` variables, which win over the conventional ones (`KAFKA_BROKERS`,
 * `REDIS_URL`, `CONSUL_HTTP_ADDR`), which win over defaults. The transport and the registry are derived here.
 */

const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;
const filePath = z.string().min(1, 'must be a file path');

/** How long start-up waits for Kafka, Redis or Consul to answer (`--connect-timeout`) unless told otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_RULE = 'must be a whole number of milliseconds from 100 to 600000';
/** `--connect-timeout <ms>` / BOOKSHELF_CONNECT_TIMEOUT_MS (also read by the lending commands). */
export const connectTimeoutSchema = z.coerce
  .number({ error: CONNECT_TIMEOUT_RULE })
  .int(CONNECT_TIMEOUT_RULE)
  .min(100, CONNECT_TIMEOUT_RULE)
  .max(600_000, CONNECT_TIMEOUT_RULE);

export const PLATFORM_OPTIONS = {
  topic: {
    flag: '--topic <topic>',
    description: 'topic (Kafka) or stream (Redis) the service reads or writes',
    env: ['BOOKSHELF_TOPIC'],
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1-249 letters, digits, ".", "_" or "-"'),
  },
  group: {
    flag: '--group <group>',
    description: 'consumer group (default: the service name)',
    env: ['BOOKSHELF_GROUP'],
    schema: z.string().regex(/^\S{1,255}$/, 'must be a word without spaces'),
  },
  broker: {
    flag: '--broker <host:port>',
    description: 'Kafka broker(s), comma separated; selects the Kafka transport',
    env: ['BOOKSHELF_BROKER', 'KAFKA_BROKERS'],
    schema: z.preprocess(
      splitList,
      z
        .array(z.string().regex(hostPort, 'must be host:port[,host:port...]'), 'must be host:port[,host:port...]')
        .min(1, 'must be host:port[,host:port...]'),
    ),
  },
  redis: {
    flag: '--redis <url>',
    description: 'Redis URL (redis://, rediss://), host:port or unix socket path; selects Redis Streams',
    env: ['BOOKSHELF_REDIS', 'REDIS_URL'],
    schema: z
      .string()
      .transform((v) => (hostPort.test(v) ? `redis://${v}` : v))
      .refine(
        (v) => /^rediss?:\/\/\S+$/.test(v) || /^\/\S+$/.test(v),
        'must be redis://host:port, rediss://..., host:port or /path/to/socket',
      ),
  },
  consul: {
    flag: '--consul <host:port>',
    description: 'Consul agent HTTP address (http:// or https:// prefix allowed); selects Consul discovery',
    env: ['BOOKSHELF_CONSUL', 'CONSUL_HTTP_ADDR'],
    schema: z
      .string()
      .regex(
        /^(https?:\/\/)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):\d{1,5}\/?$/,
        'must be host:port (optionally http:// or https://)',
      ),
  },
  consulToken: {
    flag: '--consul-token <token>',
    description: 'Consul ACL token (prefer the env var or --consul-token-file: flags show in ps)',
    env: ['BOOKSHELF_CONSUL_TOKEN', 'CONSUL_HTTP_TOKEN'],
    schema: z.string().regex(/^\S+$/, 'must be a word without spaces'),
    secret: true,
  },
  consulTokenFile: {
    flag: '--consul-token-file <path>',
    description: 'file holding the Consul ACL token',
    env: ['BOOKSHELF_CONSUL_TOKEN_FILE', 'CONSUL_HTTP_TOKEN_FILE'],
    schema: filePath,
  },
  consulCaFile: {
    flag: '--consul-ca-file <path>',
    description: 'PEM CA certificate(s) to trust for https:// to Consul (default: the system CAs)',
    env: ['BOOKSHELF_CONSUL_CA_FILE', 'CONSUL_CACERT'],
    schema: filePath,
  },
  kafkaSaslMechanism: {
    flag: '--kafka-sasl-mechanism <mechanism>',
    description: 'Kafka SASL mechanism: plain, scram-sha-256 or scram-sha-512 (default scram-sha-512)',
    env: ['BOOKSHELF_KAFKA_SASL_MECHANISM'],
    schema: z.enum(KAFKA_SASL_MECHANISMS as [KafkaSaslMechanism, ...KafkaSaslMechanism[]], {
      error: 'must be plain, scram-sha-256 or scram-sha-512',
    }),
  },
  kafkaSaslUsername: {
    flag: '--kafka-sasl-username <name>',
    description: 'Kafka SASL user (with a password from the env var or --kafka-sasl-password-file)',
    env: ['BOOKSHELF_KAFKA_SASL_USERNAME'],
    schema: z.string().min(1, 'must not be empty'),
  },
  kafkaSaslPassword: {
    flag: '--kafka-sasl-password <password>',
    description: 'Kafka SASL password (prefer the env var or --kafka-sasl-password-file: flags show in ps)',
    env: ['BOOKSHELF_KAFKA_SASL_PASSWORD'],
    schema: z.string().min(1, 'must not be empty'),
    secret: true,
  },
  kafkaSaslPasswordFile: {
    flag: '--kafka-sasl-password-file <path>',
    description: 'file holding the Kafka SASL password',
    env: ['BOOKSHELF_KAFKA_SASL_PASSWORD_FILE'],
    schema: filePath,
  },
  kafkaTls: {
    flag: '--kafka-tls',
    description: 'connect to Kafka with TLS (the system CAs unless --kafka-ca-file)',
    env: ['BOOKSHELF_KAFKA_TLS'],
    schema: z.boolean({ error: 'must be true or false' }),
  },
  kafkaCaFile: {
    flag: '--kafka-ca-file <path>',
    description: 'PEM CA certificate(s) to trust for TLS to Kafka; turns TLS on',
    env: ['BOOKSHELF_KAFKA_CA_FILE'],
    schema: filePath,
  },
  redisUsername: {
    flag: '--redis-username <name>',
    description: 'Redis ACL user (or in the URL: rediss://user:password@host:port)',
    env: ['BOOKSHELF_REDIS_USERNAME'],
    schema: z.string().min(1, 'must not be empty'),
  },
  redisPassword: {
    flag: '--redis-password <password>',
    description: 'Redis password (prefer the env var or --redis-password-file: flags show in ps)',
    env: ['BOOKSHELF_REDIS_PASSWORD'],
    schema: z.string().min(1, 'must not be empty'),
    secret: true,
  },
  redisPasswordFile: {
    flag: '--redis-password-file <path>',
    description: 'file holding the Redis password',
    env: ['BOOKSHELF_REDIS_PASSWORD_FILE'],
    schema: filePath,
  },
  redisCaFile: {
    flag: '--redis-ca-file <path>',
    description: 'PEM CA certificate(s) to trust for TLS to Redis; turns TLS on',
    env: ['BOOKSHELF_REDIS_CA_FILE'],
    schema: filePath,
  },
  connectTimeoutMs: {
    flag: '--connect-timeout <ms>',
    description: 'give up starting when Kafka, Redis or Consul does not answer within this many milliseconds',
    env: ['BOOKSHELF_CONNECT_TIMEOUT_MS'],
    schema: connectTimeoutSchema,
    default: DEFAULT_CONNECT_TIMEOUT_MS,
  },
  delay: {
    flag: '--delay <seconds>',
    description: "wait this long before starting (the bookshelf seed's flag, for Kafka and Consul starting beside it)",
    env: ['BOOKSHELF_DELAY'],
    schema: z.coerce
      .number({ error: 'must be a whole number of seconds from 0 to 3600' })
      .int('must be a whole number of seconds from 0 to 3600')
      .min(0, 'must be a whole number of seconds from 0 to 3600')
      .max(3600, 'must be a whole number of seconds from 0 to 3600'),
  },
} as const satisfies Record<string, OptionSpec>;

/**
 * `connectTimeoutMs`: how long start-up waits for the server (`--connect-timeout`; absent: the default). `sasl`,
 * `username`/`password` and `tls` come from the `--kafka-*` and `--redis-*` flags (or a `rediss://user:pass@` URL).
 */
export type BusConfig =
  | { kind: 'memory' }
  | {
      kind: 'kafka';
      brokers: readonly string[];
      connectTimeoutMs?: number;
      sasl?: KafkaSaslConfig;
      tls?: TlsConfig;
    }
  | {
      kind: 'redis';
      url: string;
      connectTimeoutMs?: number;
      username?: string;
      password?: string;
      tls?: TlsConfig;
    };
/** Shaped like discolib's `createRegistry` options; `ca` from `--consul-ca-file`. */
export type RegistryConfig =
  | { kind: 'memory' }
  | {
      kind: 'consul';
      addr: string;
      token?: string;
      secure: boolean;
      ca?: readonly string[];
      connectTimeoutMs?: number;
    };

export interface PlatformServiceDefaults extends ServiceDefaults {
  /** Default `bookshelf`. */
  topic?: string;
  /** Default: the service name. */
  group?: string;
}

export interface PlatformServiceSpec<X extends ExtraOptions = Record<never, OptionSpec>> {
  program?: string;
  description?: string;
  defaults: PlatformServiceDefaults;
  options?: X;
}

/** A service's config: restlib's, the product flags, and the transport and registry they pick. */
export interface PlatformConfig extends ServiceConfig {
  /**
   * The address registered: `--advertise-addr`, else `--addr`; listening on a wildcard (`--addr 0.0.0.0`) with the
   * in-memory registry it is 127.0.0.1 (the registry is in this process), with Consul `--advertise-addr` is required.
   */
  readonly advertiseAddr: string;
  readonly topic: string;
  readonly group: string;
  readonly broker: readonly string[] | undefined;
  readonly redis: string | undefined;
  readonly consul: string | undefined;
  /** The Consul ACL token (`--consul-token`, its env vars or `--consul-token-file`); also in `registry`. */
  readonly consulToken: string | undefined;
  /** How long start-up waits for Kafka, Redis or Consul to answer (`--connect-timeout`); 10000 by default. */
  readonly connectTimeoutMs: number;
  /** Seconds to wait before starting (`--delay`, the bookshelf seed's flag); 0 by default. */
  readonly delay: number;
  /** Event transport picked from `--broker` / `--redis` (memory when neither). */
  readonly bus: BusConfig;
  /** Registry picked from `--consul` (memory when absent). */
  readonly registry: RegistryConfig;
}

export type PlatformConfigOf<X extends ExtraOptions> = PlatformConfig & ExtraValues<X>;

/**
 * One transport: --broker (Kafka) or --redis. The higher-precedence source wins; both as flags or both as
 * BOOKSHELF_* vars is an error. Both from conventional vars (a shell that exported the whole local stack): Kafka
 * wins, so `export KAFKA_BROKERS=... REDIS_URL=...` does not break every service.
 */
function oneTransport(raw: Record<string, unknown>, sources: Readonly<Record<string, ValueSource>>) {
  if (raw.broker === undefined || raw.redis === undefined) return undefined;
  const [b, r] = [SOURCE_RANK[sources.broker!.kind], SOURCE_RANK[sources.redis!.kind]];
  if (b === r && b < SOURCE_RANK.ambient) {
    return new ConfigError(
      'REST_ERR_CONFIG_INVALID',
      `choose one event transport: ${sources.broker!.label} (Kafka) or ${sources.redis!.label} (Redis Streams), not both`,
      { option: 'broker' },
    );
  }
  delete raw[b <= r ? 'redis' : 'broker'];
  return undefined;
}

/** Listening on every interface with Consul: which address to register cannot be guessed, so it must be given. */
function advertisable(raw: Record<string, unknown>, sources: Readonly<Record<string, ValueSource>>) {
  if (raw.consul === undefined || raw.advertiseAddr !== undefined) return undefined;
  if (typeof raw.addr !== 'string' || !WILDCARD_ADDRESSES.includes(raw.addr)) return undefined;
  return new ConfigError(
    'REST_ERR_CONFIG_INVALID',
    `--addr ${raw.addr} (from ${sources.addr?.label ?? 'the default'}) listens on every interface: give ` +
      '--advertise-addr (env BOOKSHELF_ADVERTISE_ADDR), the address Consul and the other services reach this one at',
    { option: 'advertiseAddr', source: sources.addr?.label },
  );
}

/**
 * A secret and its file from different levels (`BOOKSHELF_KAFKA_SASL_PASSWORD` exported, `--kafka-sasl-password-file`
 * given): the stronger source wins. From the same level, connectionSecurity refuses the pair.
 */
function oneSecretSource(raw: Record<string, unknown>, sources: Readonly<Record<string, ValueSource>>): void {
  for (const [value, file] of SECRET_FILES) {
    if (raw[value] === undefined || raw[file] === undefined) continue;
    const [v, f] = [SOURCE_RANK[sources[value]!.kind], SOURCE_RANK[sources[file]!.kind]];
    if (v !== f) delete raw[v < f ? file : value];
  }
}

const SECURITY_KEYS = Object.keys(SECURITY_FLAGS) as (keyof SecurityInput)[];

function derived(v: Record<string, unknown>): Record<string, unknown> {
  const consul = v.consul as string | undefined;
  const consulAddr = consul?.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const connectTimeoutMs = v.connectTimeoutMs as number;
  const security = connectionSecurity(Object.fromEntries(SECURITY_KEYS.map((k) => [k, v[k]])));
  const { kafka, redis } = security;
  const bus: BusConfig =
    v.broker !== undefined
      ? Object.freeze({
          kind: 'kafka',
          brokers: Object.freeze([...(v.broker as string[])]),
          connectTimeoutMs,
          ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
          ...(kafka.tls ? { tls: kafka.tls } : {}),
        })
      : v.redis !== undefined
        ? Object.freeze({
            kind: 'redis',
            url: v.redis as string,
            connectTimeoutMs,
            ...(redis.username !== undefined ? { username: redis.username } : {}),
            ...(redis.password !== undefined ? { password: redis.password } : {}),
            ...(redis.tls ? { tls: redis.tls } : {}),
          })
        : Object.freeze({ kind: 'memory' });
  const registry: RegistryConfig =
    consulAddr !== undefined
      ? Object.freeze({
          kind: 'consul',
          addr: consulAddr,
          secure: consul!.startsWith('https://'),
          connectTimeoutMs,
          ...(security.consul.token !== undefined ? { token: security.consul.token } : {}),
          ...(security.consul.ca ? { ca: security.consul.ca } : {}),
        })
      : Object.freeze({ kind: 'memory' });
  // The secrets live in `bus` and `registry` only (one place to keep out of logs), not as loose fields.
  const rest = Object.fromEntries(Object.entries(v).filter(([k]) => !SECURITY_KEYS.includes(k as keyof SecurityInput)));
  return {
    ...rest,
    consulToken: security.consul.token,
    broker: v.broker !== undefined ? Object.freeze([...(v.broker as string[])]) : undefined,
    consul: consulAddr,
    group: v.group ?? v.name,
    // Only reached without Consul (see advertisable): the in-memory registry's callers are in this process.
    advertiseAddr: v.advertiseAddr ?? '127.0.0.1',
    bus,
    registry,
  };
}

/** Reads a service's config with the product flags (see restlib's `loadConfig` for the rest). */
export function loadPlatformConfig<X extends ExtraOptions = Record<never, OptionSpec>>(
  spec: PlatformServiceSpec<X>,
  input: ConfigInput = {},
): ConfigResult<PlatformConfigOf<X>> {
  const extras: ExtraOptions = spec.options ?? {};
  for (const key of Object.keys(extras)) {
    if (key in PLATFORM_OPTIONS)
      throw new TypeError(`loadPlatformConfig: option "${key}" is built in; pick another name`);
  }
  const { topic, group, ...defaults } = spec.defaults;
  const options: ExtraOptions = {
    ...PLATFORM_OPTIONS,
    topic: { ...PLATFORM_OPTIONS.topic, default: topic ?? 'bookshelf' },
    delay: { ...PLATFORM_OPTIONS.delay, default: 0 },
    ...(group !== undefined ? { group: { ...PLATFORM_OPTIONS.group, default: group } } : {}),
    ...extras,
  };
  try {
    return loadConfig({ ...spec, defaults, options }, input, {
      prepare: (raw, sources) => {
        oneSecretSource(raw, sources);
        return oneTransport(raw, sources) ?? advertisable(raw, sources);
      },
      finish: derived,
    }) as unknown as ConfigResult<PlatformConfigOf<X>>;
  } catch (err) {
    // connectionSecurity's problems (a CA file that cannot be read, a user without a password) are config errors.
    if (err instanceof ConfigError) return { kind: 'error', error: err };
    throw err;
  }
}

/** `loadPlatformConfig`, then print help (exit 0) or one error line (exit 2) and exit. */
export function loadPlatformConfigOrExit<X extends ExtraOptions = Record<never, OptionSpec>>(
  spec: PlatformServiceSpec<X>,
  input: ConfigInput = {},
  io: ExitIo = {},
): PlatformConfigOf<X> {
  return exitOnConfigProblem(loadPlatformConfig(spec, input), spec.program ?? spec.defaults.name, io);
}
