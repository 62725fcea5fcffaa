import { z } from 'zod';
import { EventLibError } from '../errors.js';
import type { Position, SubscribeOptions, Subscription, SubscriptionStats } from '../port.js';
import { RetryPolicySchema, type RetryPolicy } from '../retry.js';
import type { ChangeSignal } from './progress.js';

const DEFAULT_WAIT_MS = 30_000;
/** How often waiters re-check conditions that can change without a local signal (a rebalance, the log's end). */
const RECHECK_MS = 100;

const SubscribeOptionsSchema = z.object({
  topics: z.array(z.string().min(1)).min(1, 'subscribe needs at least one topic'),
  group: z.string().min(1, 'subscribe needs a group'),
  from: z.enum(['beginning', 'latest']).default('beginning'),
  replay: z.boolean().default(false),
  handler: z
    .custom<NonNullable<SubscribeOptions['handler']>>((v) => typeof v === 'function', 'handler must be a function')
    .optional(),
  handleBatch: z
    .custom<NonNullable<SubscribeOptions['handleBatch']>>(
      (v) => typeof v === 'function',
      'handleBatch must be a function',
    )
    .optional(),
  maxBatch: z.int().min(1).max(10_000).default(500),
  registry: z.custom<NonNullable<SubscribeOptions['registry']>>().optional(),
  ingest: z.custom<NonNullable<SubscribeOptions['ingest']>>().optional(),
  retry: z.unknown().optional(),
  consumerName: z.string().min(1).optional(),
  onLogReset: z.enum(['fail', 'replay']).default('fail'),
  onReset: z
    .custom<NonNullable<SubscribeOptions['onReset']>>((v) => typeof v === 'function', 'onReset must be a function')
    .optional(),
});

export type ValidSubscribeOptions = Readonly<
  Omit<z.infer<typeof SubscribeOptionsSchema>, 'retry' | 'topics'> & { topics: readonly string[]; retry: RetryPolicy }
>;

/**
 * Validates, defaults and freezes subscribe options (EVT_ERR_INVALID_OPTIONS). Topics are de-duplicated.
 * `handlerless`: the caller brings its own handler (Redis `subscribeAtomic`), so neither `handler` nor `handleBatch`.
 */
export function validateSubscribeOptions(
  options: SubscribeOptions,
  { handlerless = false }: { handlerless?: boolean } = {},
): ValidSubscribeOptions {
  const parsed = SubscribeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `invalid subscribe options: ${z.prettifyError(parsed.error)}`);
  }
  const handlers = Number(parsed.data.handler !== undefined) + Number(parsed.data.handleBatch !== undefined);
  if (handlerless ? handlers !== 0 : handlers !== 1) {
    throw new EventLibError('EVT_ERR_INVALID_OPTIONS', 'invalid subscribe options: give handler or handleBatch (one)');
  }
  if (parsed.data.onReset && parsed.data.onLogReset !== 'replay') {
    throw new EventLibError('EVT_ERR_INVALID_OPTIONS', "invalid subscribe options: onReset needs onLogReset: 'replay'");
  }
  const retry = RetryPolicySchema.safeParse(options.retry ?? {});
  if (!retry.success) {
    throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `invalid retry policy: ${z.prettifyError(retry.error)}`);
  }
  return Object.freeze({
    ...parsed.data,
    topics: Object.freeze([...new Set(parsed.data.topics)]),
    retry: Object.freeze(retry.data),
  });
}

/** How a subscription that stops on its own (not by close) reports why: `Subscription.failed`. */
export class SubscriptionFailure {
  #error: EventLibError | undefined;
  #resolve!: (error: EventLibError) => void;
  readonly promise = new Promise<EventLibError>((resolve) => (this.#resolve = resolve));

  get error(): EventLibError | undefined {
    return this.#error;
  }

  /** Records the first failure (later ones are ignored) and resolves `promise` with it. */
  fail(error: EventLibError): void {
    if (this.#error) return;
    this.#error = error;
    this.#resolve(error);
  }
}

/** What an adapter supplies; `createSubscriptionHandle` adds the waiting, validation and idempotent close. */
export interface SubscriptionParts {
  group: string;
  topics: readonly string[];
  caughtUp(): boolean;
  /**
   * The authoritative check behind `waitUntilCaughtUp`, asking the server (Redis: nothing undelivered or pending in
   * the group). Without it the local `caughtUp` is used after `lag()` refreshed the log's end (Kafka, memory).
   */
  caughtUpNow?: () => Promise<boolean>;
  lag(): Promise<number>;
  hasProcessed(position: Position): boolean;
  stats(): SubscriptionStats;
  /** Signals progress (processed positions, caught-up changes). */
  changes: ChangeSignal;
  /** Aborted by close: the adapter stops fetching and the processor starts no new handler call. */
  abort: AbortController;
  /** Stops fetching and waits for the in-flight handler and its acknowledgement. Called once. */
  stop(): Promise<void>;
  /** Set by an adapter whose subscription can fail on its own (Redis: EVT_ERR_LOG_RESET). */
  failure?: SubscriptionFailure;
}

export function createSubscriptionHandle(parts: SubscriptionParts): Subscription {
  let closing: Promise<void> | undefined;
  const topics = new Set(parts.topics);
  const failure = parts.failure ?? new SubscriptionFailure();

  const waitUntil = async (check: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (check()) return;
      if (parts.abort.signal.aborted) {
        throw failure.error ?? new EventLibError('EVT_ERR_CLOSED', `subscription closed while waiting for ${what}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new EventLibError('EVT_ERR_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        parts.changes.wait(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, RECHECK_MS)))),
      ]);
      clearTimeout(timer);
    }
  };

  /** Like `waitUntil`, for an asynchronous check (re-asked on every change, at least every RECHECK_MS). */
  const waitUntilNow = async (check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (parts.abort.signal.aborted) {
        throw failure.error ?? new EventLibError('EVT_ERR_CLOSED', `subscription closed while catching up`);
      }
      if (await check().catch(() => false)) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new EventLibError(
          'EVT_ERR_TIMEOUT',
          `timed out after ${timeoutMs} ms waiting for group ${parts.group} to catch up`,
        );
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        parts.changes.wait(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, RECHECK_MS)))),
      ]);
      clearTimeout(timer);
    }
  };

  return {
    group: parts.group,
    topics: parts.topics,
    failed: failure.promise,
    caughtUp: () => !parts.abort.signal.aborted && parts.caughtUp(),
    lag: () => parts.lag(),
    stats: () => parts.stats(),
    hasProcessed: (position) => parts.hasProcessed(position),
    // Caught up with the log as it is when asked: lag() reads the current end from the broker first, so events
    // appended since the subscription last fetched (e.g. to a partition it has not read lately) are waited for.
    waitUntilCaughtUp: async (timeoutMs = DEFAULT_WAIT_MS) => {
      if (parts.caughtUpNow) return waitUntilNow(() => parts.caughtUpNow!(), timeoutMs);
      await parts.lag().catch(() => undefined);
      return waitUntil(
        () => !parts.abort.signal.aborted && parts.caughtUp(),
        timeoutMs,
        `group ${parts.group} to catch up`,
      );
    },
    waitForPosition: (position, timeoutMs = DEFAULT_WAIT_MS) => {
      if (!topics.has(position.topic)) {
        return Promise.reject(
          new EventLibError(
            'EVT_ERR_INVALID_OPTIONS',
            `position is on topic ${position.topic}, which this subscription does not read (${parts.topics.join(', ')})`,
          ),
        );
      }
      const where = `${position.topic}/${position.partition}@${position.offset}`;
      return waitUntil(() => parts.hasProcessed(position), timeoutMs, `${where} to be processed`);
    },
    close: () => {
      closing ??= (async () => {
        parts.abort.abort();
        parts.changes.notify();
        await parts.stop();
        parts.changes.notify();
      })();
      return closing;
    },
  };
}
