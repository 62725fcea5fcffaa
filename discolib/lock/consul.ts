import { randomBytes } from 'node:crypto';
import type Consul from 'consul';
import { newConsulClient } from '../consul/client.js';
import { translateConsulError } from '../consul/errors.js';
import { DiscoError } from '../errors.js';
import type { LoggerLike } from '../logger.js';
import { InstanceLockHeldError, signal, type InstanceLock } from './port.js';
import type { ConsulLockOptions } from './schema.js';

interface KvEntry {
  Session?: string;
}

/**
 * A Consul KV key acquired with a session (`behavior: delete`, lock-delay 0) that is bound to a TTL health check of
 * this holder (on a service `bookshelf-worker-lock.<name>.<random>` of its own, so it never affects other services),
 * passed every ttl/3. The npm `consul` client is loaded on first use.
 *
 * - A crashed holder stops passing its check: it turns critical after the TTL and Consul ends the session at once
 *   (a plain session TTL would take up to twice the TTL, and at least 10 s). A new holder that finds the name
 *   locked by a holder whose check is already critical removes that check, which frees the lock right away.
 * - `force` destroys the holder's session; the old holder then finds the key held by another session and loses it.
 * - A session that ended while the agent was unreachable (or an agent that restarted empty) is replaced and the key
 *   taken again, unless another holder has it by then.
 */
export async function acquireConsulLock(opts: ConsulLockOptions, log: LoggerLike): Promise<InstanceLock> {
  const { name, ttlMs } = opts;
  const key = opts.key ?? `bookshelf/lock/${name}`;
  const consul: Consul = await newConsulClient(opts);
  // The check belongs to a service of its own: a node-level check that goes critical (a crashed holder) would take
  // every service of the node out of discovery.
  const serviceId = `${LOCK_SERVICE}.${name}.${randomBytes(4).toString('hex')}`;
  const checkId = `service:${serviceId}`;

  /** Registers (again) this holder's check, passing, and a session bound to it. */
  const newSession = async (): Promise<string> => {
    await consul.agent.service.register({
      name: LOCK_SERVICE,
      id: serviceId,
      tags: ['lock', name],
      check: {
        name: `instance lock ${name}`,
        ttl: `${ttlMs}ms`,
        timeout: '1s', // required by the client's types; unused by a TTL check
        deregistercriticalserviceafter: '1m',
      },
    });
    await consul.agent.check.pass({ id: checkId });
    const created = await consul.session.create({
      name: `instance-lock ${name}`,
      behavior: 'delete',
      lockdelay: '0s',
      checks: ['serfHealth', checkId],
    });
    return created.ID;
  };
  const acquire = (session: string) => consul.kv.set({ key, value: String(process.pid), acquire: session });

  /** Frees the lock of a holder of this name that is gone: its check is critical, so it no longer passes it. */
  const clearDeadHolders = async () => {
    const checks = (await consul.agent.check.list()) as Record<string, { ServiceID?: string; Status: string }>;
    for (const check of Object.values(checks)) {
      const holder = check.ServiceID ?? '';
      if (holder !== serviceId && lockHolderName(holder) === name && check.Status === 'critical') {
        await consul.agent.service.deregister({ id: holder }).catch(() => undefined);
      }
    }
  };

  const release = async (session: string | undefined) => {
    if (session) await consul.session.destroy({ id: session }).catch(() => false);
    await consul.agent.service.deregister({ id: serviceId }).catch(() => undefined);
  };
  let session: string | undefined;
  try {
    session = await newSession();
    if (opts.force) {
      const current = (await consul.kv.get({ key })) as KvEntry | undefined | null;
      if (current?.Session) await consul.session.destroy({ id: current.Session });
    }
    let acquired = await acquire(session);
    if (!acquired) {
      await clearDeadHolders();
      acquired = await acquire(session);
    }
    if (!acquired) throw new InstanceLockHeldError(opts, `Consul key ${key}`);
  } catch (err) {
    // An agent that does not answer is not waited for a second time (its check expires the registration anyway).
    if (isUnreachable(err)) void release(session);
    else await release(session);
    if (err instanceof InstanceLockHeldError) throw err;
    if ((err as { isTimeout?: unknown }).isTimeout === true) {
      throw new DiscoError(
        'DISCO_ERR_TIMEOUT',
        `consul lock: the agent at ${opts.addr} did not answer within ${opts.requestTimeoutMs} ms`,
        { cause: err },
      );
    }
    throw translateConsulError(err, 'lock', opts.addr);
  }
  let held: string = session;

  const lost = signal<string>();
  let released = false;
  const lose = (why: string) => {
    if (released) return;
    released = true;
    clearInterval(timer);
    void release(held);
    lost.fire(why);
  };
  const takenOver = () => `the Consul lock ${key} was taken over by another ${opts.holderLabel}`;
  /** The session ended (expired while the agent was unreachable, or the agent restarted empty): take the key again. */
  const reacquire = async () => {
    const fresh = await newSession();
    if (await acquire(fresh)) {
      held = fresh;
      log.warn({ key }, 'the lock session had ended (Consul was unreachable); took the lock again');
      return;
    }
    await consul.session.destroy({ id: fresh }).catch(() => false);
    lose(takenOver());
  };
  let ticking = false;
  const timer = setInterval(
    () => {
      if (ticking || released) return;
      ticking = true;
      (async () => {
        // An agent that restarted empty no longer knows the check: take the lock again (that registers it anew).
        const known = await consul.agent.check.pass({ id: checkId }).then(
          () => true,
          (err: unknown) => {
            if (isUnreachable(err)) throw err;
            return false;
          },
        );
        if (!known) return reacquire();
        const current = (await consul.kv.get({ key })) as KvEntry | undefined | null;
        if (released || current?.Session === held) return;
        if (current?.Session) lose(takenOver());
        else await reacquire();
      })()
        .catch((err: unknown) =>
          log.warn({ key, err: (err as Error).message }, 'could not keep the lock alive; retrying'),
        )
        .finally(() => (ticking = false));
    },
    Math.max(200, Math.floor(ttlMs / 3)),
  );
  let releasing: Promise<void> | undefined;
  return {
    name,
    kind: 'consul',
    lost: lost.promise,
    release: () =>
      (releasing ??= (async () => {
        clearInterval(timer);
        if (released) return;
        released = true;
        await release(held); // behavior delete: the key goes with the session
      })()),
  };
}

/** The Consul service that carries each lock holder's check (`bookshelf-worker-lock.<lock name>.<random>`). */
const LOCK_SERVICE = 'bookshelf-worker-lock';

/** The lock name in a lock holder's service id, or undefined for other services. */
function lockHolderName(serviceId: string): string | undefined {
  const match = /^bookshelf-worker-lock\.(.+)\.[0-9a-f]{8}$/.exec(serviceId);
  return match?.[1];
}

/** The agent did not answer at all, or not in time (as opposed to answering that it does not know the check). */
function isUnreachable(err: unknown): boolean {
  const { code, isTimeout } = err as { code?: unknown; isTimeout?: unknown };
  if (isTimeout === true) return true;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE)$/.test(code);
}
