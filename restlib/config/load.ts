import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import type { LogLevel } from '../logger.js';
import { ConfigError } from './errors.js';
import { BASE_OPTIONS, SECRET_OPTIONS, type OptionSpec } from './options.js';

/** What a service declares: its identity and defaults. Flags and env vars override them. */
export interface ServiceDefaults {
  name: string;
  id: string;
  tags: string[];
  port: number;
  /** Default `bookshelf`. */
  topic?: string;
  /** Default: the service name. */
  group?: string;
  /** Default `127.0.0.1`. */
  addr?: string;
  /** Default `info`. */
  logLevel?: LogLevel;
}

export type ExtraOptions = Record<string, OptionSpec>;

export interface ServiceSpec<X extends ExtraOptions = Record<never, OptionSpec>> {
  /** Name in the usage line; default the service name. */
  program?: string;
  description?: string;
  defaults: ServiceDefaults;
  /** Service-specific options (e.g. `last: { flag: '--last <n>', schema: z.coerce.number(), default: 5, ... }`). */
  options?: X;
}

export type BusConfig =
  { kind: 'memory' } | { kind: 'kafka'; brokers: readonly string[] } | { kind: 'redis'; url: string };
/** Shaped like discolib's `createRegistry` options. */
export type RegistryConfig = { kind: 'memory' } | { kind: 'consul'; addr: string; token?: string; secure: boolean };

export interface ServiceConfig {
  readonly name: string;
  readonly id: string;
  readonly tags: readonly string[];
  readonly addr: string;
  readonly port: number;
  readonly topic: string;
  readonly group: string;
  readonly broker: readonly string[] | undefined;
  readonly redis: string | undefined;
  readonly consul: string | undefined;
  readonly consulToken: string | undefined;
  readonly logLevel: LogLevel;
  /** Seconds to wait before starting (`--delay`, the bookshelf seed's flag); 0 by default. */
  readonly delay: number;
  /** Event transport picked from `--broker` / `--redis` (memory when neither). */
  readonly bus: BusConfig;
  /** Registry picked from `--consul` (memory when absent). */
  readonly registry: RegistryConfig;
}

type ExtraValues<X extends ExtraOptions> = {
  readonly [K in keyof X]: X[K] extends { default: unknown }
    ? z.output<X[K]['schema']>
    : z.output<X[K]['schema']> | undefined;
};

export type ConfigOf<X extends ExtraOptions> = ServiceConfig & ExtraValues<X>;

export type ConfigResult<C> =
  { kind: 'config'; config: C } | { kind: 'help'; text: string } | { kind: 'error'; error: ConfigError };

export interface ConfigInput {
  /** User arguments (no `node script`); default `process.argv.slice(2)`. */
  argv?: readonly string[];
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Precedence: flags, then BOOKSHELF_* env vars, then conventional env vars (KAFKA_BROKERS...), then defaults. */
const RANK = { flag: 0, env: 1, ambient: 2, default: 3 } as const;
type Source = { kind: keyof typeof RANK; label: string };

function baseDefaults(d: ServiceDefaults): Record<string, unknown> {
  return {
    name: d.name,
    id: d.id,
    tags: d.tags,
    port: d.port,
    topic: d.topic ?? 'bookshelf',
    group: d.group,
    addr: d.addr ?? '127.0.0.1',
    logLevel: d.logLevel ?? 'info',
    delay: 0,
  };
}

const isBooleanFlag = (spec: OptionSpec) => !/[<[]/.test(spec.flag);

function envBoolean(value: string): unknown {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return value;
}

function describe(spec: OptionSpec, fallback: unknown, secret: boolean): string {
  const parts = [
    spec.env?.length ? `env ${spec.env.join(' or ')}` : '',
    fallback !== undefined && !secret
      ? `default: ${Array.isArray(fallback) ? fallback.join(' ') : JSON.stringify(fallback).replace(/^"|"$/g, '')}`
      : '',
  ];
  const extra = parts.filter(Boolean).join('; ');
  return extra ? `${spec.description} (${extra})` : spec.description;
}

/**
 * Reads a service's configuration: flags, then env vars, then the declared defaults, validated by one zod schema.
 * Returns the frozen config, the help text (`--help`), or a ConfigError whose message is one printable line.
 */
export function loadConfig<X extends ExtraOptions = Record<never, OptionSpec>>(
  spec: ServiceSpec<X>,
  input: ConfigInput = {},
): ConfigResult<ConfigOf<X>> {
  const argv = input.argv ?? process.argv.slice(2);
  const env = input.env ?? process.env;
  const extras: ExtraOptions = spec.options ?? {};
  for (const key of Object.keys(extras)) {
    if (key in BASE_OPTIONS) throw new TypeError(`loadConfig: option "${key}" is built in; pick another name`);
  }
  const specs: Record<string, OptionSpec> = { ...BASE_OPTIONS, ...extras };
  const defaults: Record<string, unknown> = { ...baseDefaults(spec.defaults) };
  for (const [key, s] of Object.entries(extras)) if (s.default !== undefined) defaults[key] = s.default;

  let out = '';
  const program = new Command(spec.program ?? spec.defaults.name)
    .description(spec.description ?? `the ${spec.defaults.name} service`)
    .exitOverride()
    .allowExcessArguments(false)
    .helpOption('-h, --help', 'show this help and exit')
    .configureOutput({ writeOut: (s) => void (out += s), writeErr: () => undefined, outputError: () => undefined });
  const attributeToKey = new Map<string, string>();
  for (const [key, s] of Object.entries(specs)) {
    const fallback = key === 'group' ? undefined : defaults[key];
    const option = new Option(s.flag, describe(s, fallback, SECRET_OPTIONS.has(key)));
    attributeToKey.set(option.attributeName(), key);
    program.addOption(option);
  }

  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.help')) {
      return { kind: 'help', text: out };
    }
    const message = (err as Error).message.replace(/^error:\s*/, '').split('\n')[0];
    return {
      kind: 'error',
      error: new ConfigError('REST_ERR_CONFIG_USAGE', `${message} (see --help)`, { cause: err }),
    };
  }

  const flags = program.opts<Record<string, unknown>>();
  const raw: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const [attribute, key] of attributeToKey) {
    const s = specs[key]!;
    const long = s.flag.split(/[ ,]/)[0]!;
    if (flags[attribute] !== undefined) {
      raw[key] = flags[attribute];
      sources[key] = { kind: 'flag', label: long };
      continue;
    }
    const envName = s.env?.find((n) => env[n] !== undefined && env[n] !== '');
    if (envName !== undefined) {
      const value = env[envName]!;
      raw[key] = isBooleanFlag(s) ? envBoolean(value) : value;
      sources[key] = { kind: envName.startsWith('BOOKSHELF_') ? 'env' : 'ambient', label: envName };
      continue;
    }
    if (defaults[key] !== undefined) {
      raw[key] = defaults[key];
      sources[key] = { kind: 'default', label: 'the default' };
    }
  }

  // One transport: --broker (Kafka) or --redis. The higher-precedence source wins; both as flags or both as
  // BOOKSHELF_* vars is an error. Both from conventional vars (a shell that exported the whole local stack):
  // Kafka wins, so `export KAFKA_BROKERS=... REDIS_URL=...` does not break every service.
  if (raw.broker !== undefined && raw.redis !== undefined) {
    const [b, r] = [RANK[sources.broker!.kind], RANK[sources.redis!.kind]];
    if (b === r && b < RANK.ambient) {
      return {
        kind: 'error',
        error: new ConfigError(
          'REST_ERR_CONFIG_INVALID',
          `choose one event transport: ${sources.broker!.label} (Kafka) or ${sources.redis!.label} (Redis Streams), not both`,
          { option: 'broker' },
        ),
      };
    }
    delete raw[b <= r ? 'redis' : 'broker'];
  }

  const shape: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(specs)) shape[key] = s.schema.optional();
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const s = specs[key];
    const source = sources[key];
    const long = s ? s.flag.split(/[ ,]/)[0]! : key;
    const shown = SECRET_OPTIONS.has(key)
      ? ''
      : ` (got ${JSON.stringify(Array.isArray(raw[key]) ? (raw[key] as unknown[]).join(' ') : raw[key])} from ${source?.label ?? 'nowhere'})`;
    return {
      kind: 'error',
      error: new ConfigError('REST_ERR_CONFIG_INVALID', `${long} ${issue.message}${shown}`, {
        option: key,
        source: source?.label,
        cause: parsed.error,
      }),
    };
  }

  const v = parsed.data as Record<string, unknown>;
  const consul = v.consul as string | undefined;
  const consulAddr = consul?.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const bus: BusConfig =
    v.broker !== undefined
      ? Object.freeze({ kind: 'kafka', brokers: Object.freeze([...(v.broker as string[])]) })
      : v.redis !== undefined
        ? Object.freeze({ kind: 'redis', url: v.redis as string })
        : Object.freeze({ kind: 'memory' });
  const registry: RegistryConfig =
    consulAddr !== undefined
      ? Object.freeze({
          kind: 'consul',
          addr: consulAddr,
          secure: consul!.startsWith('https://'),
          ...(v.consulToken !== undefined ? { token: v.consulToken as string } : {}),
        })
      : Object.freeze({ kind: 'memory' });
  const config = {
    ...v,
    tags: Object.freeze([...(v.tags as string[])]),
    broker: v.broker !== undefined ? Object.freeze([...(v.broker as string[])]) : undefined,
    consul: consulAddr,
    group: (v.group as string | undefined) ?? (v.name as string),
    bus,
    registry,
  };
  for (const value of Object.values(config)) if (typeof value === 'object' && value !== null) Object.freeze(value);
  return { kind: 'config', config: Object.freeze(config) as unknown as ConfigOf<X> };
}

export interface ExitIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  exit?: (code: number) => never;
}

/**
 * For a service's `main`: the config, or print help (exit 0) / one error line (exit 2) and exit.
 */
export function loadConfigOrExit<X extends ExtraOptions = Record<never, OptionSpec>>(
  spec: ServiceSpec<X>,
  input: ConfigInput = {},
  io: ExitIo = {},
): ConfigOf<X> {
  const result = loadConfig(spec, input);
  const stdout = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const exit = io.exit ?? ((code: number) => process.exit(code));
  if (result.kind === 'config') return result.config;
  if (result.kind === 'help') {
    stdout(result.text);
    return exit(0);
  }
  stderr(`${spec.program ?? spec.defaults.name}: ${result.error.message}\n`);
  return exit(result.error.exitCode);
}
