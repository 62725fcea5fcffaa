import { pino, type Logger } from 'pino';
import { createEventBus, type EventBus } from '../../eventlib/index.js';

/** Silent unless BENCH_LOG_LEVEL is set. */
export const quietLogger = (): Logger => pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });

export function kafkaBus(brokers: string, clientId: string): Promise<EventBus> {
  return createEventBus({
    kind: 'kafka',
    brokers,
    clientId,
    logger: quietLogger(),
    consumer: { maxWaitTimeInMs: 100 },
  });
}

export function redisBus(url: string): Promise<EventBus> {
  return createEventBus({ kind: 'redis', url, logger: quietLogger(), maxLen: null });
}
