import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { defaultLogFormat, type LogFormat, type LogLevel } from '../logger.js';
import { ConfigError } from './errors.js';
import { SERVICE_OPTIONS, WILDCARD_ADDRESSES, type OptionSpec } from './options.js';

/** What a service declares: its identity and defaults. Flags and env vars override them. */
export interface ServiceDefaults {
  name: string;
  id: string;
  tags: string[];
  port: number;
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

/** What every HTTP service's config holds. */
export interface ServiceConfig {
  readonly name: string;
  readonly id: string;
  readonly tags: readonly string[];
  readonly addr: string;
  /**
   * The address to register: `--advertise-addr`, else `--addr` unless that is a wildcard (`0.0.0.0`, `::`), where
   * it is undefined and the caller must pick one (discolib refuses to register a wildcard).
   */
  readonly advertiseAddr: string | undefined;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/** The typed values of a spec's own options (with a default: always set). */
export type ExtraValues<X extends ExtraOptions> = {
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

/** Where a value came from, by precedence: a flag, a `BOOKSHELF_*` variable, a conventional variable, a default. */
export interface ValueSource {
  readonly kind: 'flag' | 'env' | 'ambient' | 'default';
  /** `--broker`, `KAFKA_BROKERS`, `the default`. */
  readonly label: string;
}

/** Lower is stronger. */
export const SOURCE_RANK: Readonly<Record<ValueSource['kind'], number>> = { flag: 0, env: 1, ambient: 2, default: 3 };

/**
 * How a caller (the platform's config) adds rules the generic loader does not know: `prepare` sees the raw values
 * and their sources before validation (it may drop one of two conflicting values, or refuse with a ConfigError);
 * `finish` derives fields from the validated values.
 */
export interface ConfigHooks {
  prepare?(raw: Record<string, unknown>, sources: Readonly<Record<string, ValueSource>>): ConfigError | void;
  finish?(values: Record<string, unknown>): Record<string, unknown>;
}

const isBooleanFlag = (spec: OptionSpec) => !/[<[]/.test(spec.flag);

function envBoolean(value: string): unknown {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return value;
}

function describe(spec: OptionSpec, fallback: unknown): string {
  const parts = [
    spec.env?.length ? `env ${spec.env.join(' or ')}` : '',
    fallback !== undefined && !spec.secret
      ? `default: ${Array.isArray(fallback) ? fallback.join(' ') : JSON.stringify(fallback).replace(/^"|"$/g, '')}`
      : '',
  ];
  const extra = parts.filter(Boolean).join('; ');
  return extra ? `${spec.description} (${extra})` : spec.description;
}

/**
 * Reads a service's configuration: flags, then env vars, then the declared defaults, validated by one zod schema.
 * Returns the frozen config, the help text (`--help`), or a ConfigError whose message is one printable line.
 * `SERVICE_OPTIONS` (listen address and port, registry identity, log level) are always there; `spec.options`
 * adds the caller's; `hooks` add cross-option rules.
 */
export function loadConfig<X extends ExtraOptions = Record<never, OptionSpec>>(
  spec: ServiceSpec<X>,
  input: ConfigInput = {},
  hooks: ConfigHooks = {},
): ConfigResult<ConfigOf<X>> {
  const argv = input.argv ?? process.argv.slice(2);
  const env = input.env ?? process.env;
  const extras: ExtraOptions = spec.options ?? {};
  for (const key of Object.keys(extras)) {
    if (key in SERVICE_OPTIONS) throw new TypeError(`loadConfig: option "${key}" is built in; pick another name`);
  }
  const specs: Record<string, OptionSpec> = { ...SERVICE_OPTIONS, ...extras };
  const d = spec.defaults;
  const defaults: Record<string, unknown> = {
    name: d.name,
    id: d.id,
    tags: d.tags,
    port: d.port,
    addr: d.addr ?? '127.0.0.1',
    logLevel: d.logLevel ?? 'info',
    logFormat: defaultLogFormat(),
  };
  for (const [key, s] of Object.entries(extras)) if (s.default !== undefined) defaults[key] = s.default;

  let out = '';
  const program = new Command(spec.program ?? d.name)
    .description(spec.description ?? `the ${d.name} service`)
    .exitOverride()
    .allowExcessArguments(false)
    .helpOption('-h, --help', 'show this help and exit')
    .configureOutput({ writeOut: (s) => void (out += s), writeErr: () => undefined, outputError: () => undefined });
  const attributeToKey = new Map<string, string>();
  for (const [key, s] of Object.entries(specs)) {
    const option = new Option(s.flag, describe(s, defaults[key]));
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
  const sources: Record<string, ValueSource> = {};
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

  const refused = hooks.prepare?.(raw, sources);
  if (refused) return { kind: 'error', error: refused };

  const shape: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(specs)) shape[key] = s.schema.optional();
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const s = specs[key];
    const source = sources[key];
    const long = s ? s.flag.split(/[ ,]/)[0]! : key;
    const shown = s?.secret
      ? ''
      : ` (got ${withoutUrlPassword(JSON.stringify(Array.isArray(raw[key]) ? (raw[key] as unknown[]).join(' ') : raw[key]))} from ${source?.label ?? 'nowhere'})`;
    return {
      kind: 'error',
      error: new ConfigError('REST_ERR_CONFIG_INVALID', `${long} ${issue.message}${shown}`, {
        option: key,
        source: source?.label,
        cause: parsed.error,
      }),
    };
  }

  const values = parsed.data as Record<string, unknown>;
  values.advertiseAddr ??= WILDCARD_ADDRESSES.includes(values.addr as string) ? undefined : values.addr;
  const config = hooks.finish ? hooks.finish(values) : values;
  config.tags = [...(values.tags as string[])];
  for (const value of Object.values(config)) if (typeof value === 'object' && value !== null) Object.freeze(value);
  return { kind: 'config', config: Object.freeze(config) as unknown as ConfigOf<X> };
}

/** A value quoted in a message with the password of any `scheme://user:password@` in it replaced by `***`. */
function withoutUrlPassword(text: string | undefined): string | undefined {
  return text?.replace(/(\/\/[^:@/\s]*:)[^@/\s]*@/g, '$1***@');
}

export interface ExitIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  exit?: (code: number) => never;
}

/** For a service's `main`: the config, or print help (exit 0) / one error line (exit 2) and exit. */
export function exitOnConfigProblem<C>(result: ConfigResult<C>, program: string, io: ExitIo = {}): C {
  const stdout = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const exit = io.exit ?? ((code: number) => process.exit(code));
  if (result.kind === 'config') return result.config;
  if (result.kind === 'help') {
    stdout(result.text);
    return exit(0);
  }
  stderr(`${program}: ${result.error.message}\n`);
  return exit(result.error.exitCode);
}

/** `loadConfig`, then print help (exit 0) or one error line (exit 2) and exit. */
export function loadConfigOrExit<X extends ExtraOptions = Record<never, OptionSpec>>(
  spec: ServiceSpec<X>,
  input: ConfigInput = {},
  io: ExitIo = {},
): ConfigOf<X> {
  return exitOnConfigProblem(loadConfig(spec, input), spec.program ?? spec.defaults.name, io);
}
