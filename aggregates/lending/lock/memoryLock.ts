import { randomUUID } from 'node:crypto';
import { signal, WorkerLockError, type InstanceLock, type LockOptions } from './port.js';

/** Holders per name, for this process only (the embedded platform): a crashed process takes its locks along. */
const HELD = new Map<string, { token: string; lose: (why: string) => void }>();

export function acquireMemoryLock(name: string, opts: LockOptions = {}): InstanceLock {
  const holder = HELD.get(name);
  if (holder && !opts.force) throw new WorkerLockError(name, 'this process');
  holder?.lose('taken over by another worker (--force)');
  const token = randomUUID();
  const lost = signal<string>();
  HELD.set(name, { token, lose: lost.fire });
  let released = false;
  return {
    name,
    kind: 'memory',
    lost: lost.promise,
    release: async () => {
      if (released) return;
      released = true;
      if (HELD.get(name)?.token === token) HELD.delete(name);
    },
  };
}
