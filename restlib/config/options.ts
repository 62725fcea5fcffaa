import { z } from 'zod';

/** One configurable value: its flag, the env vars that may supply it (first set wins), and its schema. */
export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  /** Commander flag syntax: `--port <port>`, `--tags <tags...>`, or `--force` for a boolean. */
  flag: string;
  description: string;
  schema: S;
  env?: readonly string[];
  /** Used when neither a flag nor an env var gives a value; omit for an optional value. */
  default?: z.input<S>;
}

const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;

/** Splits `a,b` or `a b` (env vars and single-string tags). */
export function splitList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.split(/[\s,]+/).filter(Boolean);
}

const portSchema = z.coerce
  .number({ error: 'must be an integer from 0 to 65535' })
  .int('must be an integer from 0 to 65535')
  .min(0, 'must be an integer from 0 to 65535')
  .max(65535, 'must be an integer from 0 to 65535');

const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "-", "_" or "." (no spaces)');

export const BASE_OPTIONS = {
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
  addr: {
    flag: '--addr <address>',
    description: 'address to listen on and to register in Consul',
    env: ['BOOKSHELF_ADDR'],
    schema: z.string().regex(/^[A-Za-z0-9.:_\-[\]]+$/, 'must be an IP address or host name'),
  },
  port: {
    flag: '--port <port>',
    description: 'HTTP port (0 = any free port)',
    env: ['BOOKSHELF_PORT'],
    schema: portSchema,
  },
  name: { flag: '--name <name>', description: 'service name in Consul', env: ['BOOKSHELF_NAME'], schema: nameSchema },
  id: {
    flag: '--id <id>',
    description: 'service instance id in Consul',
    env: ['BOOKSHELF_ID'],
    schema: z.string().regex(/^\S+$/, 'must be a word without spaces'),
  },
  tags: {
    flag: '--tags <tags...>',
    description: 'service tags in Consul, space separated (env: spaces or commas)',
    env: ['BOOKSHELF_TAGS'],
    schema: z.preprocess(splitList, z.array(z.string().regex(/^[^\s,]+$/, 'must be words without spaces or commas'))),
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
    description: 'Consul ACL token (prefer the env var: flags show in ps)',
    env: ['BOOKSHELF_CONSUL_TOKEN', 'CONSUL_HTTP_TOKEN'],
    schema: z.string().regex(/^\S+$/, 'must be a word without spaces'),
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
  logLevel: {
    flag: '--log-level <level>',
    description: 'fatal, error, warn, info, debug, trace or silent',
    env: ['BOOKSHELF_LOG_LEVEL', 'LOG_LEVEL'],
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be fatal, error, warn, info, debug, trace or silent',
    }),
  },
} as const satisfies Record<string, OptionSpec>;

/** Values that must never appear in help defaults or error messages. */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set(['consulToken']);
