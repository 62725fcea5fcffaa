import { LendingError } from '../domain/index.js';

/**
 * The instance lock of a lending worker name (SPEC §6): a second worker with a name in use stops with
 * `LEND_ERR_WORKER_NAME_IN_USE` unless forced; a crashed holder's lock expires on its own (TTL).
 */
export interface InstanceLock {
  readonly name: string;
  /** Where the lock lives, for logs: `redis`, `consul`, `memory`. */
  readonly kind: 'redis' | 'consul' | 'memory';
  /** Resolves if the lock is lost (taken over with --force, or expired while this process stalled). */
  readonly lost: Promise<string>;
  /** Stops the heartbeat and releases the lock if still held. Idempotent. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Take the lock even when another worker holds it (that worker notices and stops). */
  force?: boolean;
  /** How long a lock outlives its holder's last heartbeat. */
  ttlMs?: number;
}

export const DEFAULT_LOCK_TTL_MS = 10_000;

/** `LEND_ERR_WORKER_NAME_IN_USE` of the lending catalogue, with the CLI's exit status. */
export class WorkerLockError extends LendingError {
  override readonly name: string = 'WorkerLockError';
  override readonly code = 'LEND_ERR_WORKER_NAME_IN_USE';
  /** CLI exit status. */
  readonly exitCode = 1;
  constructor(workerName: string, where: string) {
    super(
      'LEND_ERR_WORKER_NAME_IN_USE',
      `lending worker name "${workerName}" is in use by another running worker (lock in ${where}); ` +
        'choose another name, or pass --force to take it over',
    );
  }
}

/** A promise and the function that resolves it. */
export function signal<T>(): { promise: Promise<T>; fire: (value: T) => void } {
  let fire!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (fire = resolve));
  return { promise, fire };
}
