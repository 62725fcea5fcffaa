import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors.js';
import type { InstanceLock, InstanceLockKind } from '../lock/port.js';
import type { InstanceLockOptions } from '../lock/schema.js';
import { eventually, uniqueServiceName } from './eventually.js';

/** What the suite asks for: the adapter-independent options of `acquireInstanceLock`. */
export interface LockRequest {
  name: string;
  key?: string;
  force?: boolean;
  ttlMs?: number;
  label?: string;
  holderLabel?: string;
}

/** Acquires a lock of the adapter under test (typically `acquireInstanceLock({ kind, ...target, ...request })`). */
export type MakeLock = (request: LockRequest) => Promise<InstanceLock>;

/** The real differences between adapters; the points themselves are the same for all. */
export interface InstanceLockContractOptions {
  kind: InstanceLockKind;
  /** The TTL of the locks the suite takes where the TTL matters; default 2000 ms. */
  ttlMs?: number;
  /** Bound of the suite's waits (a dead holder's lock to free, a vanished lock to come back); default 30 s. */
  timeoutMs?: number;
  /**
   * JSON options of `acquireInstanceLock` for the same lock in another process (same store). Without it the adapter
   * is process-local (memory): a holder cannot die without taking the whole lock store along, so the dead-holder
   * point does not apply.
   */
  childOptions?: (request: LockRequest) => InstanceLockOptions;
  /**
   * The lock as its server holds it, by lock name (the adapter's default key): `present` is true while a holder
   * has it; `vanish` removes it as a server restart or an expiry during an outage would (Redis: DEL the key;
   * Consul: destroy the session). Without it the lock has no server (memory).
   */
  server?: {
    present(name: string): Promise<boolean>;
    vanish(name: string): Promise<void>;
  };
}

// From source (tsx) the child is a .ts file; from the published package (dist/) a .js one.
const COMPILED = import.meta.url.endsWith('.js');
const CHILD_SCRIPT = fileURLToPath(new URL(COMPILED ? './childLock.js' : './childLock.ts', import.meta.url));
const CHILD_ARGS = COMPILED ? [CHILD_SCRIPT] : ['--import', 'tsx', CHILD_SCRIPT];

/** Whether `promise` has settled by the time already-queued work has run (no timing involved). */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

/**
 * The contract every InstanceLock adapter passes: one holder per lock, `force` takes over and tells the old holder,
 * `release()` frees and is idempotent, a dead holder's lock frees after its TTL, a lock that vanished from its server
 * is taken again without being reported lost.
 */
export function describeInstanceLock(
  adapterName: string,
  makeLock: MakeLock,
  options: InstanceLockContractOptions,
): void {
  const ttlMs = options.ttlMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 30_000;

  describe(`InstanceLock contract: ${adapterName}`, () => {
    const locks: InstanceLock[] = [];
    const children: ChildProcess[] = [];

    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(locks.splice(0).map((l) => l.release()));
    });

    const acquire = async (request: LockRequest) => {
      const lock = await makeLock(request);
      locks.push(lock);
      return lock;
    };
    const expectHeld = async (attempt: Promise<InstanceLock>, name: string) => {
      const err = await attempt.then(
        (lock) => {
          locks.push(lock);
          throw new Error(`acquired ${name} although another holder has it`);
        },
        (e: unknown) => e,
      );
      expect(isDiscoError(err, 'DISCO_ERR_LOCK_HELD')).toBe(true);
      return err as Error & { exitCode: number; retriable: boolean; lockName: string };
    };
    /** Acquires `name` as soon as it is free (the attempts in between fail with DISCO_ERR_LOCK_HELD). */
    const acquireOnceFree = (request: LockRequest, what: string) =>
      eventually(
        () =>
          acquire(request).catch((err: unknown) => {
            if (isDiscoError(err, 'DISCO_ERR_LOCK_HELD')) return undefined;
            throw err;
          }),
        what,
        timeoutMs,
      );

    it('a second acquire of a held lock fails with DISCO_ERR_LOCK_HELD (exit 1, not retriable), naming it and --force', async () => {
      const name = uniqueServiceName('lock');
      const lock = await acquire({ name, ttlMs });
      expect(lock.name).toBe(name);
      expect(lock.kind).toBe(options.kind);

      const plain = await expectHeld(makeLock({ name, ttlMs }), name);
      expect(plain).toMatchObject({ code: 'DISCO_ERR_LOCK_HELD', retriable: false, exitCode: 1, lockName: name });
      expect(plain.message).toMatch(new RegExp(`^lock "${name}" is in use by another running instance .*--force`));

      const labelled = await expectHeld(
        makeLock({ name, ttlMs, label: 'lending worker name', holderLabel: 'worker' }),
        name,
      );
      expect(labelled.message).toMatch(
        new RegExp(`^lending worker name "${name}" is in use by another running worker .*--force to take it over$`),
      );
      expect(await hasSettled(lock.lost)).toBe(false);
    });

    it('different names are different locks; so is one name under two keys', async () => {
      const [a, b] = [uniqueServiceName('lock-a'), uniqueServiceName('lock-b')];
      await acquire({ name: a, ttlMs });
      await acquire({ name: b, ttlMs });
      await acquire({ name: a, key: `${a}-other-key`, ttlMs });
      await expectHeld(makeLock({ name: a, ttlMs }), a);
      await expectHeld(makeLock({ name: uniqueServiceName('other'), key: `${a}-other-key`, ttlMs }), a);
    });

    it('force takes a held lock over: the old holder is told it lost it, and its release leaves the new holder alone', async () => {
      const name = uniqueServiceName('lock');
      const first = await acquire({ name, ttlMs, holderLabel: 'worker' });
      const second = await acquire({ name, ttlMs, force: true, holderLabel: 'worker' });
      await expect(first.lost).resolves.toMatch(/taken over by another worker/);
      await first.release();
      await expectHeld(makeLock({ name, ttlMs }), name);
      expect(await hasSettled(second.lost)).toBe(false);
      await second.release();
      await acquire({ name, ttlMs });
    });

    it('release() frees the lock for the next holder, is idempotent, and never reports the lock lost', async () => {
      const name = uniqueServiceName('lock');
      const lock = await acquire({ name, ttlMs });
      await Promise.all([lock.release(), lock.release()]);
      await lock.release();
      const next = await acquire({ name, ttlMs });
      expect(next.kind).toBe(options.kind);
      await lock.release();
      await expectHeld(makeLock({ name, ttlMs }), name); // the old holder's extra release did not free it
      expect(await hasSettled(lock.lost)).toBe(false);
    });

    it('rejects bad options with DISCO_ERR_INVALID before touching the store', async () => {
      const invalid = (request: LockRequest) =>
        expect(makeLock(request)).rejects.toSatisfy((e) => isDiscoError(e, 'DISCO_ERR_INVALID'));
      await invalid({ name: '' });
      await invalid({ name: 'two words' });
      await invalid({ name: 'a/b' });
      await invalid({ name: 'ok', ttlMs: 0 });
      await invalid({ name: 'ok', ttlMs: 1.5 });
      await invalid({ name: 'ok', key: '/rooted' });
    });

    const childOptions = options.childOptions;
    it.runIf(childOptions !== undefined)(
      'a holder that dies without releasing (SIGKILL) frees its lock once its TTL has passed',
      async () => {
        const name = uniqueServiceName('lock');
        const child = spawn(process.execPath, CHILD_ARGS, {
          env: { ...process.env, DISCOLIB_LOCK_CHILD: JSON.stringify(childOptions!({ name, ttlMs })) },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
        const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
        expect(JSON.parse(line)).toEqual({ acquired: true });
        await expectHeld(makeLock({ name, ttlMs }), name); // alive, it keeps its lock

        child.kill('SIGKILL');
        await once(child, 'exit');
        const next = await acquireOnceFree({ name, ttlMs }, `the lock of the killed holder of ${name} to free`);
        expect(next.name).toBe(name);
      },
    );

    const server = options.server;
    it.runIf(server !== undefined)(
      'a lock that vanished from its server is taken again, kept alive, and not reported lost',
      async () => {
        const name = uniqueServiceName('lock');
        const lock = await acquire({ name, ttlMs });
        expect(await server!.present(name)).toBe(true);

        await server!.vanish(name);
        await eventually(() => server!.present(name), `the vanished lock ${name} to be taken again`, timeoutMs);
        // Past a whole TTL since: only renewals of the retaken lock keep it there.
        await sleep(ttlMs * 1.5);
        expect(await server!.present(name)).toBe(true);
        await expectHeld(makeLock({ name, ttlMs }), name);
        expect(await hasSettled(lock.lost)).toBe(false);
      },
    );
  });
}
