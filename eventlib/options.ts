import type { Logger } from 'pino';
import { z } from 'zod';
import { EventLibError } from './errors.js';

const LoggerSchema = z
  .custom<Logger>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { child?: unknown }).child === 'function',
    'logger must be a pino logger',
  )
  .optional();

const HostPortSchema = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');

const TlsSchema = z.union([
  z.boolean(),
  z.object({
    ca: z.union([z.string(), z.array(z.string())]).optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    passphrase: z.string().optional(),
    servername: z.string().optional(),
    rejectUnauthorized: z.boolean().optional(),
  }),
]);

/**
 * The largest event, in bytes of its UTF-8 JSON (default 1 MiB, Kafka's default message size). `publish` rejects a
 * larger envelope before writing anything (EVT_ERR_TOO_LARGE); a consumed message larger than this is poison.
 * At least 4 KiB, so a dead-letter record (which keeps a prefix of an oversized payload) always fits.
 */
const MaxEventBytesSchema = z.int().min(4_096).max(268_435_456).default(1_048_576);

/**
 * How long `createEventBus` keeps trying to reach the server (a refused connection is retried with backoff, a
 * server that accepts but never answers is given up on) before it rejects with one EVT_ERR_CONNECTION,
 * `cannot reach <server> at <where> within <n> ms (<last error>)`. Default 10 s.
 */
const ConnectTimeoutSchema = z.int().min(100).max(600_000).default(10_000);

export const MemoryBusOptionsSchema = z.object({
  kind: z.literal('memory'),
  /** Append-only JSON-lines journal; with it, a restart keeps events and group positions. */
  file: z.string().min(1).optional(),
  /** Partitions of topics created implicitly (publish/subscribe) or by ensureTopic without a count. */
  partitions: z.int().min(1).max(1024).default(1),
  /** How long acknowledged positions may wait before they are written to the journal (coalesced). */
  flushIntervalMs: z.int().min(0).max(60_000).default(20),
  maxEventBytes: MaxEventBytesSchema,
  logger: LoggerSchema,
});

export const KafkaBusOptionsSchema = z.object({
  kind: z.literal('kafka'),
  /** `host:port` list, or one comma-separated string. */
  brokers: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(HostPortSchema).min(1, 'at least one broker is needed')),
  clientId: z.string().min(1).default('bookshelf'),
  sasl: z
    .object({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: z.string(),
    })
    .optional(),
  ssl: TlsSchema.default(false),
  /** Partitions of topics this bus creates. */
  partitions: z.int().min(1).max(10_000).default(3),
  /** -1: the broker's `default.replication.factor`. */
  replicationFactor: z.int().min(-1).max(100).default(-1),
  /** One TCP connection attempt (kafkajs `connectionTimeout`). */
  connectionTimeout: z.int().min(100).default(3_000),
  connectTimeoutMs: ConnectTimeoutSchema,
  /**
   * A publish not acknowledged within this time rejects with EVT_ERR_TIMEOUT. Its outcome is then unknown: the
   * idempotent producer keeps trying in the background, so a caller that publishes again may write a duplicate.
   */
  publishTimeoutMs: z.int().min(100).default(30_000),
  /** kafkajs client retries (connecting, admin, consumer requests); the idempotent producer retries on its own. */
  retry: z
    .object({
      retries: z.int().min(0).max(100).default(5),
      initialRetryTime: z.int().min(10).default(300),
      maxRetryTime: z.int().min(10).default(30_000),
    })
    .prefault({}),
  requestTimeout: z.int().min(100).default(30_000),
  consumer: z
    .object({
      /**
       * How long the coordinator waits for a member that stopped heartbeating. It is also how long a consumer
       * waits after a broker restart: kafkajs rejoins as a new member, and the coordinator first waits for the old
       * one. 10 s (kafkajs: 30 s) keeps that short; the broker accepts 6 s at least by default.
       */
      sessionTimeout: z.int().min(1_000).default(10_000),
      heartbeatInterval: z.int().min(100).default(1_000),
      rebalanceTimeout: z.int().min(1_000).default(60_000),
      /** Longest a fetch waits for new data; also bounds how long close() waits for a fetch. */
      maxWaitTimeInMs: z.int().min(10).default(500),
      /** Partitions handled in parallel by one member (order is per partition either way). */
      partitionsConsumedConcurrently: z.int().min(1).max(64).default(1),
    })
    .prefault({})
    .refine((c) => c.heartbeatInterval < c.sessionTimeout, {
      message: 'consumer.heartbeatInterval must be below consumer.sessionTimeout',
    }),
  maxEventBytes: MaxEventBytesSchema,
  logger: LoggerSchema,
});

export const RedisBusOptionsSchema = z
  .object({
    kind: z.literal('redis'),
    /** `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). */
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'url must start with redis:// or rediss://')
      .optional(),
    socket: z
      .union([
        z.object({ path: z.string().min(1) }),
        z.object({ host: z.string().min(1), port: z.int().min(1).max(65535) }),
      ])
      .optional(),
    db: z.int().min(0).optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    tls: TlsSchema.optional(),
    connectTimeoutMs: ConnectTimeoutSchema,
    /** Approximate MAXLEN applied on every XADD; null never trims. Trimmed entries are gone for every group. */
    maxLen: z.int().min(1).nullable().default(1_000_000),
    /** Entries one XREADGROUP fetches. */
    batchSize: z.int().min(1).max(10_000).default(100),
    /** How long XREADGROUP blocks on the dedicated connection. */
    blockMs: z.int().min(10).max(60_000).default(2_000),
    /** Pending entries idle this long belong to a dead (or stuck) consumer and are reclaimed with XAUTOCLAIM. */
    claimIdleMs: z.int().min(10).default(30_000),
    /** How often a consumer looks for idle entries; default claimIdleMs / 2. */
    claimIntervalMs: z.int().min(10).optional(),
    /** Deliveries after which a reclaimed entry is dead-lettered instead of handled again. */
    maxDeliveries: z.int().min(1).default(5),
    maxEventBytes: MaxEventBytesSchema,
    logger: LoggerSchema,
  })
  .refine((o) => !(o.url && o.socket), { message: 'give either url or socket, not both' });

export const BusOptionsSchema = z.discriminatedUnion('kind', [
  MemoryBusOptionsSchema,
  KafkaBusOptionsSchema,
  RedisBusOptionsSchema,
]);

/** Options as callers write them (defaults optional). */
export type BusOptions = z.input<typeof BusOptionsSchema>;
export type MemoryBusOptions = z.output<typeof MemoryBusOptionsSchema>;
export type KafkaBusOptions = z.output<typeof KafkaBusOptionsSchema>;
export type RedisBusOptions = z.output<typeof RedisBusOptionsSchema>;
export type ValidBusOptions = z.output<typeof BusOptionsSchema>;

/** Validates, defaults and freezes bus options; EVT_ERR_INVALID_OPTIONS with every problem listed. */
export function validateBusOptions(options: BusOptions): Readonly<ValidBusOptions> {
  const parsed = BusOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `invalid event bus options: ${z.prettifyError(parsed.error)}`);
  }
  return Object.freeze(parsed.data);
}

/**
 * Bus options from one URL (flags and env vars carry a single string):
 * `memory:` or `memory:/path/journal.jsonl`; `kafka://[user:pass@]h:p,h2:p[?clientId=&partitions=&ssl=true&sasl=plain]`;
 * `redis://[user:pass@]host:port[/db]`, `rediss://...` (TLS); `unix:///path/redis.sock[?db=&password=&username=]`.
 */
export function busOptionsFromUrl(url: string): BusOptions {
  const memory = /^memory:(?:\/\/)?(.*)$/.exec(url);
  if (memory) return memory[1] ? { kind: 'memory', file: memory[1] } : { kind: 'memory' };

  if (/^rediss?:\/\//.test(url)) return { kind: 'redis', url };

  const unix = /^unix:\/\/([^?]+)(?:\?(.*))?$/.exec(url);
  if (unix) {
    const query = new URLSearchParams(unix[2] ?? '');
    const options: BusOptions = { kind: 'redis', socket: { path: decodeURIComponent(unix[1]!) } };
    const db = query.get('db');
    if (db !== null) options.db = toInt(db, 'db', url);
    const password = query.get('password');
    if (password !== null) options.password = password;
    const username = query.get('username');
    if (username !== null) options.username = username;
    return options;
  }

  const kafka = /^kafka:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)\/?(?:\?(.*))?$/.exec(url);
  if (kafka) {
    const [, user, password, hosts, rawQuery] = kafka;
    const query = new URLSearchParams(rawQuery ?? '');
    const options: BusOptions = { kind: 'kafka', brokers: hosts!.split(',') };
    const clientId = query.get('clientId');
    if (clientId) options.clientId = clientId;
    const partitions = query.get('partitions');
    if (partitions) options.partitions = toInt(partitions, 'partitions', url);
    if (query.get('ssl') === 'true') options.ssl = true;
    if (user) {
      const mechanism = (query.get('sasl') ?? 'plain') as 'plain' | 'scram-sha-256' | 'scram-sha-512';
      options.sasl = { mechanism, username: decodeURIComponent(user), password: decodeURIComponent(password ?? '') };
    }
    return options;
  }

  throw new EventLibError(
    'EVT_ERR_INVALID_OPTIONS',
    `unsupported event bus URL "${redactUrl(url)}": use memory:, kafka://host:port, redis://, rediss:// or unix:///path`,
  );
}

function toInt(value: string, name: string, url: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `${name} must be an integer in "${redactUrl(url)}"`);
  }
  return n;
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@').replace(/(password=)[^&]*/, '$1***');
}
