/**
 * An instance lock holder in its own process, for the contract suite's "dies without releasing" test. Configured by
 * the DISCOLIB_LOCK_CHILD environment variable (JSON options of `acquireInstanceLock`). Prints `{"acquired":true}`
 * once it holds the lock (or `{"error": code, "message": ...}`), then keeps it alive until killed.
 */
import { acquireInstanceLock, type InstanceLockOptions } from '../index.js';

const options = JSON.parse(process.env.DISCOLIB_LOCK_CHILD ?? '{}') as InstanceLockOptions;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

// Stay alive until killed, even when the lock holds no sockets (memory).
setInterval(() => undefined, 1 << 30);

try {
  await acquireInstanceLock(options);
  say({ acquired: true });
} catch (err) {
  const e = err as { code?: string; message?: string };
  say({ error: e.code ?? 'unknown', message: e.message });
}
