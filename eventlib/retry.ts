import { z } from 'zod';

/** How a failing handler is retried: `maxAttempts` handler calls in all, jittered exponential backoff between. */
export const RetryPolicySchema = z
  .object({
    maxAttempts: z.int().min(1).max(1000).default(5),
    baseMs: z.number().min(0).max(3_600_000).default(200),
    maxMs: z.number().min(0).max(3_600_000).default(30_000),
  })
  .refine((p) => p.maxMs >= p.baseMs, { message: 'retry.maxMs must be >= retry.baseMs' });

export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze(RetryPolicySchema.parse({}));

/**
 * The wait before attempt `failedAttempts + 1`: the exponential step `baseMs * 2^(failedAttempts-1)` capped at
 * `maxMs`, with "equal jitter" (a random point in the upper half), so waits grow and never bunch up.
 */
export function backoffDelay(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

const PROGRAMMING_ERRORS = new Set([
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'EvalError',
  'URIError',
]);

/**
 * Whether a thrown value is worth retrying: never programming errors (TypeError, RangeError...), never errors that
 * say `retriable: false`; everything else (I/O, timeouts, unknown) yes.
 */
export function isRetriableError(err: unknown): boolean {
  if (typeof err === 'object' && err !== null) {
    const retriable = (err as { retriable?: unknown }).retriable;
    if (typeof retriable === 'boolean') return retriable;
  }
  return !(err instanceof Error && PROGRAMMING_ERRORS.has(err.name));
}

/** Waits `ms`; resolves `false` early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
