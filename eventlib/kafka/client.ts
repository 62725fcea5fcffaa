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

/** kafkajs client config from validated options; kafkajs's own logger goes to pino at warn and above. */
export function kafkaConfig(kafkajs: KafkaJsModule, options: KafkaBusOptions, log: Logger): KafkaJs.KafkaConfig {
  const config: KafkaJs.KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeout,
    requestTimeout: options.requestTimeout,
    retry: { ...options.retry },
    logLevel: kafkajs.logLevel.WARN,
    logCreator: () => (entry) => forward(kafkajs, log, entry),
  };
  if (options.ssl !== false) config.ssl = options.ssl;
  if (options.sasl) {
    const { mechanism, username, password } = options.sasl;
    config.sasl = { mechanism, username, password } as KafkaJs.SASLOptions;
  }
  return config;
}

function forward(kafkajs: KafkaJsModule, log: Logger, { namespace, level, log: entry }: KafkaJs.LogEntry): void {
  const { message, timestamp: _t, logger: _l, ...extra } = entry as KafkaJs.LogEntry['log'] & { logger?: unknown };
  const fields = { namespace, ...extra };
  // kafkajs reports an ordinary rebalance at error level (also as failed heartbeat responses): routine for a group.
  const error = (extra as { error?: unknown }).error;
  if (/rebalanc/i.test(message) || (typeof error === 'string' && /rebalanc/i.test(error))) {
    return log.debug(fields, `kafkajs: ${message}`);
  }
  if (level === kafkajs.logLevel.ERROR) return log.error(fields, `kafkajs: ${message}`);
  if (level === kafkajs.logLevel.WARN) return log.warn(fields, `kafkajs: ${message}`);
  return log.debug(fields, `kafkajs: ${message}`);
}
