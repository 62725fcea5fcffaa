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
  /** Never shown in help defaults or error messages (tokens, passwords). */
  secret?: boolean;
}

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

const hostSchema = z.string().regex(/^[A-Za-z0-9.:_\-[\]]+$/, 'must be an IP address or host name');

/** Listen addresses that mean "every interface": nobody can reach a service there, so they are never registered. */
export const WILDCARD_ADDRESSES: readonly string[] = ['0.0.0.0', '::', '[::]'];

/** The options of every HTTP service: where it listens and how it registers and logs. */
export const SERVICE_OPTIONS = {
  addr: {
    flag: '--addr <address>',
    description: 'address to listen on and to register in Consul',
    env: ['BOOKSHELF_ADDR'],
    schema: hostSchema,
  },
  advertiseAddr: {
    flag: '--advertise-addr <address>',
    description:
      'address to register in Consul instead of --addr, the one others reach this service at (needed with ' +
      '--addr 0.0.0.0: a container name, a pod IP)',
    env: ['BOOKSHELF_ADVERTISE_ADDR'],
    schema: hostSchema.refine(
      (a) => !WILDCARD_ADDRESSES.includes(a),
      'must be an address others can reach, not a wildcard',
    ),
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
  logLevel: {
    flag: '--log-level <level>',
    description: 'fatal, error, warn, info, debug, trace or silent',
    env: ['BOOKSHELF_LOG_LEVEL', 'LOG_LEVEL'],
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be fatal, error, warn, info, debug, trace or silent',
    }),
  },
  logFormat: {
    flag: '--log-format <format>',
    description: 'json (one object per line) or pretty (for people); default pretty on a terminal, else json',
    env: ['BOOKSHELF_LOG_FORMAT'],
    schema: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }),
  },
} as const satisfies Record<string, OptionSpec>;
