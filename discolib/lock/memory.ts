import { randomUUID } from 'node:crypto';
import { InstanceLockHeldError, signal, type InstanceLock } from './port.js';
import type { MemoryLockOptions } from './schema.js';

/** Holders per key, for this process only (the embedded platform): a crashed process takes its locks along. */
const HELD = new Map<string, { token: string; lose: (why: string) => void }>();

/** An in-process lock (no TTL: nothing outlives the process that holds it). */
export function acquireMemoryLock(opts: MemoryLockOptions): InstanceLock {
  const key = opts.key ?? opts.name;
  const holder = HELD.get(key);
  if (holder && !opts.force) throw new InstanceLockHeldError(opts, 'this process');
  holder?.lose(`taken over by another ${opts.holderLabel} (--force)`);
  const token = randomUUID();
  const lost = signal<string>();
  HELD.set(key, { token, lose: lost.fire });
  let released = false;
  return {
    name: opts.name,
    kind: 'memory',
    lost: lost.promise,
    release: async () => {
      if (released) return;
      released = true;
      if (HELD.get(key)?.token === token) HELD.delete(key);
    },
  };
}
