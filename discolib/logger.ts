import { pino, type BaseLogger, type Bindings } from 'pino';

/** Any pino-compatible logger (a pino Logger, fastify's `app.log`...). */
export interface LoggerLike extends Pick<BaseLogger, 'info' | 'warn' | 'error' | 'debug'> {
  child(bindings: Bindings): LoggerLike;
}

/** The logger a registry writes to: a child of the caller's, or a silent one. */
export function registryLogger(parent: LoggerLike | undefined, adapter: string): LoggerLike {
  return (parent ?? pino({ level: 'silent' })).child({ lib: 'discolib', adapter });
}
