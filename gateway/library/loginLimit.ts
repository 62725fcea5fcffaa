/** How long a caller waits before the next attempt may go through. */
export interface Blocked {
  readonly retryAfterS: number;
}

export interface AttemptLimiter {
  /** Undefined while the key may try again; else when it may (the limit of failures in the window is reached). */
  blocked(key: string): Blocked | undefined;
  /** Counts a failed attempt of the key. */
  failed(key: string): void;
  /** A success: the key's failures are forgotten. */
  succeeded(key: string): void;
}

export interface AttemptLimiterOptions {
  /** Failures allowed per key within `windowMs`. */
  attempts: number;
  windowMs: number;
  clock: () => Date;
  /** Keys remembered at most (the oldest are forgotten first), so guessing many keys cannot fill the memory. */
  maxKeys?: number;
}

/**
 * Failed attempts per key in a sliding window, in memory (per gateway instance): the library login's limit per
 * library card (issue 17, point 5). Keyed by card, not by client address: many patrons behind one address (a
 * school, the browser tests) log in freely, while guessing the names of one card stops after `attempts` failures.
 * Wrong guesses on many cards are not stopped by this (the names a card needs are not public).
 */
export function attemptLimiter(opts: AttemptLimiterOptions): AttemptLimiter {
  const maxKeys = opts.maxKeys ?? 10_000;
  const failures = new Map<string, number[]>();
  const now = () => opts.clock().getTime();
  const recent = (key: string, at: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => t > at - opts.windowMs);
    if (list.length === 0) failures.delete(key);
    return list;
  };
  return {
    blocked(key) {
      const at = now();
      const list = recent(key, at);
      if (list.length < opts.attempts) return undefined;
      // The oldest failure still in the window leaves it first; then one more attempt is allowed.
      const oldest = list[list.length - opts.attempts]!;
      return { retryAfterS: Math.max(1, Math.ceil((oldest + opts.windowMs - at) / 1000)) };
    },
    failed(key) {
      const at = now();
      const list = [...recent(key, at), at].slice(-opts.attempts);
      failures.delete(key);
      failures.set(key, list);
      while (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
    },
    succeeded(key) {
      failures.delete(key);
    },
  };
}
