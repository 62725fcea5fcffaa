import type * as KafkaJs from 'kafkajs';
import type { Logger } from 'pino';
import { EventLibError } from '../errors.js';
import type { KafkaBusOptions } from '../options.js';

export type KafkaJsModule = typeof KafkaJs;

/** Loads kafkajs on first use, so the memory and Redis paths never need it. */
export async function loadKafkaJs(): Promise<KafkaJsModule> {
  try {
    return await import('kafkajs');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new EventLibError(
        'EVT_ERR_MISSING_DEPENDENCY',
        'the kafka event bus needs kafkajs: npm install kafkajs@2.2.4',
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/**
 * kafkajs client config from validated options. kafkajs's own logs go to a child of the bus's pino logger at the
 * level that logger has: warnings and errors by default, kafkajs's info lines (as debug) from `debug`, its debug
 * lines from `trace`. `quiet` (the start-up probe, whose failures end in one typed error) logs everything at debug.
 */
export function kafkaConfig(
  kafkajs: KafkaJsModule,
  options: KafkaBusOptions,
  log: Logger,
  { quiet = false }: { quiet?: boolean } = {},
): KafkaJs.KafkaConfig {
  const kafkaLog = log.child({ client: 'kafkajs' });
  const config: KafkaJs.KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeout,
    requestTimeout: options.requestTimeout,
    retry: { ...options.retry },
    logLevel: kafkaLogLevel(kafkajs, log.level, quiet),
    logCreator: () => (entry) => forward(kafkajs, kafkaLog, entry, quiet),
  };
  if (options.ssl !== false) config.ssl = options.ssl;
  if (options.sasl) {
    const { mechanism, username, password } = options.sasl;
    config.sasl = { mechanism, username, password } as KafkaJs.SASLOptions;
  }
  return config;
}

/** The kafkajs level that yields what a pino logger at `level` would print (kafkajs info is logged at debug). */
export function kafkaLogLevel(kafkajs: KafkaJsModule, level: string, quiet = false): KafkaJs.logLevel {
  const { NOTHING, ERROR, WARN, INFO, DEBUG } = kafkajs.logLevel;
  switch (level) {
    case 'trace':
      return DEBUG;
    case 'debug':
      return INFO;
    case 'info':
    case 'warn':
      return quiet ? NOTHING : WARN;
    case 'error':
      return quiet ? NOTHING : ERROR;
    default:
      return NOTHING; // fatal, silent
  }
}

function forward(
  kafkajs: KafkaJsModule,
  log: Logger,
  { namespace, level, log: entry }: KafkaJs.LogEntry,
  quiet: boolean,
): void {
  const { message, timestamp: _t, logger: _l, ...extra } = entry as KafkaJs.LogEntry['log'] & { logger?: unknown };
  const fields = { namespace, ...extra };
  // kafkajs reports an ordinary rebalance at error level (also as failed heartbeat responses): routine for a group.
  const error = (extra as { error?: unknown }).error;
  // A failed response is also thrown to the caller, which retries it or reports it, translated: debug here.
  const response = namespace === 'Connection' && message.startsWith('Response ');
  if (quiet || response || /rebalanc/i.test(message) || (typeof error === 'string' && /rebalanc/i.test(error))) {
    return log.debug(fields, `kafkajs: ${message}`);
  }
  if (level === kafkajs.logLevel.ERROR) return log.error(fields, `kafkajs: ${message}`);
  if (level === kafkajs.logLevel.WARN) return log.warn(fields, `kafkajs: ${message}`);
  return log.debug(fields, `kafkajs: ${message}`);
}
