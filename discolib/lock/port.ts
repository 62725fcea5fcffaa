import { DiscoError } from '../errors.js';

/**
 * An instance lock: at most one live holder per lock (SPEC §6, "a second worker with the same name exits 1 unless
 * --force; a crashed worker's lock expires"). Acquiring a held lock fails with `DISCO_ERR_LOCK_HELD` unless forced;
 * a holder that dies without releasing loses it after its TTL. Every adapter passes
 * `testing/describeInstanceLock.ts`.
 */
export interface InstanceLock {
  /** The lock's name as given to `acquireInstanceLock`. */
  readonly name: string;
  /** Where the lock lives, for logs. */
  readonly kind: InstanceLockKind;
  /**
   * Resolves with a reason once another holder has the lock (taken over with `force`, or taken while this process
   * stalled past its TTL). Never resolves after `release()`, nor when the lock merely vanished from the server and
   * was taken again.
   */
  readonly lost: Promise<string>;
  /** Stops the heartbeat and frees the lock if this holder still has it. Idempotent; concurrent calls share one. */
  release(): Promise<void>;
}

export type InstanceLockKind = 'memory' | 'redis' | 'consul';

/** How long a lock outlives its holder's last heartbeat, unless `ttlMs` says otherwise. */
export const DEFAULT_LOCK_TTL_MS = 10_000;

/**
 * `DISCO_ERR_LOCK_HELD`: the lock is held by another live holder. The message names the lock and suggests --force,
 * e.g. `lending worker name "w1" is in use by another running worker (lock in Redis key ...); choose another name,
 * or pass --force to take it over` (`label` and `holderLabel` of the options).
 */
export class InstanceLockHeldError extends DiscoError {
  /** CLI exit status. */
  readonly exitCode = 1;
  /** The name of the lock that is held. */
  readonly lockName: string;
  /** Where the lock lives (`Redis key ...`, `Consul key ...`, `this process`). */
  readonly where: string;

  constructor(lock: { name: string; label: string; holderLabel: string }, where: string) {
    super(
      'DISCO_ERR_LOCK_HELD',
      `${lock.label} "${lock.name}" is in use by another running ${lock.holderLabel} (lock in ${where}); ` +
        'choose another name, or pass --force to take it over',
    );
    this.lockName = lock.name;
    this.where = where;
  }
}

/** A promise and the function that resolves it. */
export function signal<T>(): { promise: Promise<T>; fire: (value: T) => void } {
  let fire!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (fire = resolve));
  return { promise, fire };
}
