import type { Logger } from 'pino';
import { EventLibError } from '../errors.js';
import type { KafkaBusOptions } from '../options.js';
import { backoffDelay, sleep } from '../retry.js';
import { kafkaConfig, type KafkaJsModule } from './client.js';
import { translateKafkaError } from './errors.js';

/** Between attempts to reach a cluster at start-up (jittered, 100 ms doubling to 1 s). */
const PROBE_BACKOFF = { maxAttempts: 1, baseMs: 100, maxMs: 1_000 };

/**
 * Waits until a broker of the list answers, for at most `connectTimeoutMs`: attempts with a throw-away admin client
 * without retries whose connection and request timeouts end at the deadline, so a refused port is tried again with
 * backoff and a port that accepts but never answers is given up on in time. Its kafkajs logs go to debug: a cluster
 * that cannot be reached is one EVT_ERR_CONNECTION, `cannot reach Kafka at <brokers> within <n> ms (<last error>)`.
 * A refusal that retrying cannot change (SASL, TLS, ACLs) is thrown at once, translated.
 */
export async function reachKafka(
  kafkajs: KafkaJsModule,
  options: Readonly<KafkaBusOptions>,
  log: Logger,
): Promise<void> {
  const brokers = options.brokers.join(',');
  const deadline = Date.now() + options.connectTimeoutMs;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const admin = new kafkajs.Kafka({
      ...kafkaConfig(kafkajs, options, log, { quiet: true }),
      connectionTimeout: Math.max(1, Math.min(options.connectionTimeout, remaining)),
      requestTimeout: Math.max(1, remaining),
      authenticationTimeout: Math.max(1, remaining),
      retry: { retries: 0 },
    }).admin();
    try {
      await withDeadline(admin.connect(), remaining, 'no answer from the broker');
      return;
    } catch (err) {
      const translated = translateKafkaError(err, `connecting to Kafka at ${brokers}`);
      if (!translated.retriable) throw translated;
      last = err;
      log.debug({ attempt, err: innermost(err) }, 'Kafka not reachable yet; retrying');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(Math.min(backoffDelay(PROBE_BACKOFF, attempt), Math.max(0, deadline - Date.now())));
  }
  throw new EventLibError(
    'EVT_ERR_CONNECTION',
    `cannot reach Kafka at ${brokers} within ${options.connectTimeoutMs} ms (${innermost(last) ?? 'no attempt finished'})`,
    { cause: last },
  );
}

/** `promise`, or a rejection once `ms` have passed (the guard for a step kafkajs's own timeouts do not cover). */
export function withDeadline<T>(promise: Promise<T>, ms: number, what = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  promise.catch(() => undefined); // settles after the deadline when it loses the race
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The message of the innermost error of kafkajs's retry and non-retriable wrappers (one line). */
function innermost(err: unknown): string | undefined {
  let e = err as { message?: string; originalError?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 5 && e && (e.originalError ?? e.cause); depth++) {
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return e?.message?.split('\n')[0];
}
