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
 * The lock of a worker on Kafka: a Consul KV key acquired with a session (`behavior: delete`, TTL), renewed every
 * ttl/3. A crashed holder stops renewing; Consul invalidates the session after its TTL (Consul may take up to
 * twice the TTL) and deletes the key. `--force` destroys the holder's session first; the old holder's renewal then
 * fails and it stops. Consul TTLs are whole seconds, at least 10 s.
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
  const session = await consul.session.create({
    name: `lending-worker ${name}`,
    ttl: `${ttlSeconds}s`,
    behavior: 'delete',
    lockdelay: '0s',
  });
  const destroy = () => consul.session.destroy({ id: session.ID }).catch(() => false);
  try {
    if (opts.force) {
      const current = (await consul.kv.get({ key })) as { Session?: string } | undefined | null;
      if (current?.Session) await consul.session.destroy({ id: current.Session });
    }
    const acquired = await consul.kv.set({ key, value: String(process.pid), acquire: session.ID });
    if (!acquired) throw new WorkerLockError(name, `Consul key ${key}`);
  } catch (err) {
    await destroy();
    throw err;
  }
  const lost = signal<string>();
  let released = false;
  const timer = setInterval(
    () => {
      consul.session
        .renew({ id: session.ID })
        .then((renewed: unknown) => {
          if ((!renewed || (Array.isArray(renewed) && renewed.length === 0)) && !released) {
            released = true;
            clearInterval(timer);
            lost.fire(`the Consul session of lock ${key} ended (taken over or expired)`);
          }
        })
        .catch((err: unknown) => {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 && !released) {
            released = true;
            clearInterval(timer);
            lost.fire(`the Consul session of lock ${key} ended (taken over or expired)`);
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
