import Consul from 'consul';
import type { Logger } from 'pino';
import { DEFAULT_LOCK_TTL_MS, signal, WorkerLockError, type InstanceLock, type LockOptions } from './port.js';

export interface ConsulTarget {
  /** host:port of the agent's HTTP API. */
  addr: string;
  secure?: boolean;
  token?: string;
}

/**
 * The lock of a worker on Kafka: a Consul KV key acquired with a session (`behavior: delete`, TTL, lock-delay 0),
 * renewed every ttl/3. A crashed holder stops renewing; Consul invalidates the session after its TTL (Consul may
 * take up to twice the TTL) and deletes the key. `--force` destroys the holder's session first; the old holder then
 * finds the key held by another session and stops. A session that ended while the agent was unreachable is
 * replaced and the key taken again, unless another worker holds it by then. Consul TTLs are whole seconds, >= 10 s.
 */
export async function acquireConsulLock(
  target: ConsulTarget,
  key: string,
  name: string,
  opts: LockOptions & { log: Logger },
): Promise<InstanceLock> {
  const ttlSeconds = Math.max(10, Math.ceil((opts.ttlMs ?? DEFAULT_LOCK_TTL_MS) / 1000));
  const [host, port] = splitHostPort(target.addr);
  const consul = new Consul({
    host,
    port,
    secure: target.secure ?? false,
    ...(target.token ? { defaults: { token: target.token } } : {}),
  });
  const newSession = async () =>
    (
      await consul.session.create({
        name: `lending-worker ${name}`,
        ttl: `${ttlSeconds}s`,
        behavior: 'delete',
        lockdelay: '0s',
      })
    ).ID;
  let session = await newSession();
  const destroy = () => consul.session.destroy({ id: session }).catch(() => false);
  try {
    if (opts.force) {
      const current = (await consul.kv.get({ key })) as { Session?: string } | undefined | null;
      if (current?.Session) await consul.session.destroy({ id: current.Session });
    }
    const acquired = await consul.kv.set({ key, value: String(process.pid), acquire: session });
    if (!acquired) throw new WorkerLockError(name, `Consul key ${key}`);
  } catch (err) {
    await destroy();
    throw err;
  }
  const lost = signal<string>();
  let released = false;
  const lose = (why: string) => {
    if (released) return;
    released = true;
    clearInterval(timer);
    lost.fire(why);
  };
  /** The session ended (expired while the agent was unreachable, or the agent restarted empty): take the key again. */
  const reacquire = async () => {
    const fresh = await newSession();
    if (await consul.kv.set({ key, value: String(process.pid), acquire: fresh })) {
      session = fresh;
      opts.log.warn({ key }, 'the worker lock session had ended (Consul was unreachable); took the lock again');
      return;
    }
    await consul.session.destroy({ id: fresh }).catch(() => false);
    lose(`the Consul lock ${key} was taken over by another worker`);
  };
  const timer = setInterval(
    () => {
      consul.session
        .renew({ id: session })
        .then(async (renewed: unknown) => {
          if (released) return;
          if (!renewed || (Array.isArray(renewed) && renewed.length === 0)) await reacquire();
        })
        .catch(async (err: unknown) => {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 && !released) {
            await reacquire().catch((e: unknown) =>
              opts.log.warn({ err: (e as Error).message }, 'could not take the worker lock again yet'),
            );
            return;
          }
          opts.log.warn({ err: (err as Error).message }, 'could not renew the worker lock session');
        });
    },
    Math.max(1000, Math.floor((ttlSeconds * 1000) / 3)),
  );
  return {
    name,
    kind: 'consul',
    lost: lost.promise,
    release: async () => {
      clearInterval(timer);
      if (released) return;
      released = true;
      await destroy(); // behavior delete: the key goes with the session
    },
  };
}

function splitHostPort(addr: string): [string, number] {
  const at = addr.lastIndexOf(':');
  return [addr.slice(0, at).replace(/^\[|\]$/g, ''), Number(addr.slice(at + 1))];
}
