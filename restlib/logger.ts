import { pino, type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

const SECRET_KEYS = [
  'password',
  'passphrase',
  'token',
  'sasl',
  'authorization',
  'cookie',
  'secret',
  'consulToken',
  'managementToken',
  'apiKey',
  'privateKey',
  // The config fields of the connection secrets (SPEC §9), should a whole config ever be logged.
  'kafkaSaslPassword',
  'redisPassword',
];

/** Log paths whose values are replaced by `[redacted]`: secrets at the top level and up to two levels deep. */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-consul-token"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
]);

export type LogLevel = Level | 'silent';
/** `json`: one object per line (for machines); `pretty`: coloured, one readable line (for people). */
export type LogFormat = 'json' | 'pretty';

/** Pretty on a terminal, JSON otherwise (a pipe, a file, a log collector). */
export function defaultLogFormat(stdout: { isTTY?: boolean } = process.stdout): LogFormat {
  return stdout.isTTY ? 'pretty' : 'json';
}

export interface LoggerSettings {
  /** Service name, the `service` field of every line. */
  name: string;
  level?: LogLevel;
  /** Where lines go; stdout when omitted. */
  stream?: DestinationStream;
  /** Default json; services pass their `--log-format` (restlib's config defaults it by `defaultLogFormat`). */
  format?: LogFormat;
}

/** Pino options every bookshelf logger uses: level, service name, ISO time and secret redaction. */
export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level ?? 'info',
    base: { service: settings.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  };
}

/** One pino logger per process, shared by restlib, discolib and eventlib (each takes a child). */
export function createLogger(settings: LoggerSettings): Logger {
  const options = loggerOptions(settings);
  if (settings.format === 'pretty') {
    const destination = settings.stream ?? process.stdout;
    const colorize = 'isTTY' in destination && destination.isTTY === true;
    return pino(
      options,
      pretty({ destination, colorize, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }),
    );
  }
  return settings.stream ? pino(options, settings.stream) : pino(options);
}
