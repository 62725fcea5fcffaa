import { describe, expect, it } from 'vitest';
import { EventLibError, RetryPolicySchema, backoffDelay, isRetriableError } from '../../../eventlib/index.js';
import { sleep } from '../../../eventlib/retry.js';

describe('retry policy', () => {
  const policy = RetryPolicySchema.parse({ maxAttempts: 6, baseMs: 100, maxMs: 1_000 });

  it('defaults to 5 attempts, 200 ms base, 30 s cap and rejects a cap below the base', () => {
    expect(RetryPolicySchema.parse({})).toEqual({ maxAttempts: 5, baseMs: 200, maxMs: 30_000 });
    expect(RetryPolicySchema.safeParse({ baseMs: 10, maxMs: 5 }).success).toBe(false);
    expect(RetryPolicySchema.safeParse({ maxAttempts: 0 }).success).toBe(false);
  });

  it('waits an exponentially growing, capped step with equal jitter (upper half of the step)', () => {
    const low = (n: number) => backoffDelay(policy, n, () => 0);
    const high = (n: number) => backoffDelay(policy, n, () => 1);
    expect([1, 2, 3, 4, 5].map(low)).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map(high)).toEqual([100, 200, 400, 800, 1_000]);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(policy, 3);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('never retries programming errors or errors that say they are not retriable', () => {
    expect(isRetriableError(new Error('io'))).toBe(true);
    expect(isRetriableError('a string')).toBe(true);
    expect(isRetriableError(new TypeError('x'))).toBe(false);
    expect(isRetriableError(new RangeError('x'))).toBe(false);
    expect(isRetriableError(new ReferenceError('x'))).toBe(false);
    expect(isRetriableError(new EventLibError('EVT_ERR_CONNECTION', 'down'))).toBe(true);
    expect(isRetriableError(new EventLibError('EVT_ERR_AUTH', 'no'))).toBe(false);
    expect(isRetriableError(Object.assign(new TypeError('fetch failed'), { retriable: true }))).toBe(true);
  });

  it('sleep ends early (false) when its signal aborts, and resolves true otherwise', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await sleep(1)).toBe(true);
    expect(await sleep(1, controller.signal)).toBe(false);
  });
});
