import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type Consul from 'consul';
import type { LoggerLike as Logger } from '../logger.js';
import { DiscoError } from '../errors.js';
import type { DiscoverQuery, ServiceInstance, ServiceRegistration, ServiceRegistry, WatchHandle } from '../port.js';
import {
  byId,
  discoverQuerySchema,
  fingerprint,
  hasEveryTag,
  parseDuration,
  parseOrThrow,
  registrationSchema,
  serviceNameSchema,
  type ConsulRegistryOptions,
  type NormalizedRegistration,
} from '../schema.js';
import { newConsulClient } from './client.js';
import { consulStatus, translateConsulError } from './errors.js';
import { isTlsFailure } from '../tls.js';

/** One row of `GET /v1/health/service/:name`. */
interface HealthEntry {
  Node?: { Address?: string };
  Service: {
    ID: string;
    Service: string;
    Address?: string;
    Port: number;
    Tags?: string[] | null;
    Meta?: Record<string, string> | null;
  };
}

/** What the npm client accepts on top of its typings: a cancellable context that also returns the response. */
interface BlockingContext extends EventEmitter {
  includeResponse: true;
}
type BlockingHealth = (
  opts: Record<string, unknown>,
) => Promise<[{ headers: Record<string, string | undefined> }, HealthEntry[]]>;

/**
 * Registry on a Consul agent (npm `consul`, loaded on first use). It remembers every registration it made and
 * puts it back when the agent forgets it (a dev agent restarts empty): every `resyncIntervalMs` it compares the
 * agent's service list with its own, and a failed blocking query triggers that check at once.
 */
export class ConsulRegistry implements ServiceRegistry {
  readonly #options: ConsulRegistryOptions;
  readonly #log: Logger;
  readonly #registered = new Map<string, NormalizedRegistration>();
  readonly #watches = new Set<ConsulWatch>();
  #client: Promise<Consul> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #resyncTimer: NodeJS.Timeout | undefined;
  #resyncing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ConsulRegistryOptions, logger: Logger) {
    this.#options = options;
    this.#log = logger.child({ consul: options.addr });
  }

  /**
   * Waits until the agent answers (`GET /v1/status/leader`), for at most `connectTimeoutMs`: a refused connection is
   * tried again with backoff, an agent that accepts but never answers is given up on at the deadline. Then it is one
   * DISCO_ERR_UNAVAILABLE, `cannot reach Consul at <addr> within <n> ms (<last error>)`. Any HTTP answer counts (a
   * 403 is DISCO_ERR_FORBIDDEN at once): the requests that follow report what the agent says. A TLS failure (a
   * certificate the CA does not vouch for) is DISCO_ERR_TLS at once. With a token, the agent is then asked for its
   * service list, which any token it knows may read: a token it does not know is DISCO_ERR_FORBIDDEN here, at start,
   * rather than on the first registration.
   */
  async connect(): Promise<void> {
    this.#assertOpen('connect');
    const { addr, connectTimeoutMs } = this.#options;
    const client = await this.#consul();
    const deadline = Date.now() + connectTimeoutMs;
    let last: unknown;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        // The typings omit the per-request `timeout` every call of the client takes.
        await client.status.leader({ timeout: remaining } as Parameters<Consul['status']['leader']>[0]);
        return await this.#checkToken(client, remaining);
      } catch (err) {
        if (err instanceof DiscoError) throw err;
        const status = consulStatus(err);
        if (status === 401 || status === 403 || isTlsFailure(err)) throw translateConsulError(err, 'connect', addr);
        if (status !== undefined) return; // it answered
        last = err;
        this.#log.debug({ attempt, err: translateConsulError(err, 'connect', addr) }, 'agent not reachable yet');
      }
      const backoff = Math.min(1000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
    }
    const e = last as { code?: string; isTimeout?: boolean; message?: string } | undefined;
    const detail = e?.isTimeout
      ? 'the agent accepted the connection but did not answer'
      : (e?.message?.split('\n')[0] ?? e?.code ?? 'no answer');
    throw new DiscoError(
      'DISCO_ERR_UNAVAILABLE',
      `cannot reach Consul at ${addr} within ${connectTimeoutMs} ms (${detail})`,
      {
        cause: last,
      },
    );
  }

  /** An unknown token is refused on any request the ACL system checks (403 `ACL not found`). */
  async #checkToken(client: Consul, remaining: number): Promise<void> {
    if (!this.#options.token) return;
    try {
      await client.agent.service.list({ timeout: Math.max(100, remaining) } as Parameters<
        Consul['agent']['service']['list']
      >[0]);
    } catch (err) {
      if (consulStatus(err) === 403) {
        throw new DiscoError(
          'DISCO_ERR_FORBIDDEN',
          `consul connect: the agent at ${this.#options.addr} refused the ACL token (${String((err as Error).message).split('\n')[0]}): check the token`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async register(registration: ServiceRegistration): Promise<void> {
    this.#assertOpen('register');
    const reg = parseOrThrow(registrationSchema, registration, 'register');
    this.#registered.set(reg.id, reg);
    try {
      await this.#exclusive(() => this.#put(reg));
    } catch (err) {
      if (this.#registered.get(reg.id) === reg) this.#registered.delete(reg.id);
      throw err;
    }
    this.#log.info({ serviceName: reg.name, serviceId: reg.id, port: reg.port }, 'registered');
    this.#startResync();
  }

  async deregister(id: string): Promise<void> {
    this.#assertOpen('deregister');
    parseOrThrow(registrationSchema.shape.id, id, 'deregister: id');
    this.#registered.delete(id);
    await this.#exclusive(() => this.#remove(id));
    this.#log.info({ serviceId: id }, 'deregistered');
  }

  async discover(query: DiscoverQuery): Promise<ServiceInstance[]> {
    this.#assertOpen('discover');
    const { name, tags } = parseOrThrow(discoverQuerySchema, query, 'discover');
    const client = await this.#consul();
    let entries: HealthEntry[];
    try {
      entries = (await client.health.service({ service: name, passing: true })) as HealthEntry[];
    } catch (err) {
      throw translateConsulError(err, 'discover', this.#options.addr);
    }
    return toInstances(entries).filter((i) => hasEveryTag(i, tags));
  }

  watch(name: string, onChange: (instances: ServiceInstance[]) => void): WatchHandle {
    this.#assertOpen('watch');
    parseOrThrow(serviceNameSchema, name, 'watch: name');
    const watch = new ConsulWatch(name, onChange, {
      consul: () => this.#consul(),
      waitMs: parseDuration(this.#options.watchWait)!,
      wait: this.#options.watchWait,
      addr: this.#options.addr,
      log: this.#log.child({ watch: name }),
      onFailure: () => void this.#resync(),
      onClosed: () => this.#watches.delete(watch),
    });
    this.#watches.add(watch);
    return { close: () => watch.close() };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#resyncTimer);
    for (const w of [...this.#watches]) w.close();
    const ids = [...this.#registered.keys()];
    this.#registered.clear();
    if (ids.length > 0) {
      await Promise.allSettled(
        ids.map((id) =>
          this.#exclusive(() => this.#remove(id)).catch((err: unknown) =>
            this.#log.warn({ err, serviceId: id }, 'deregister on close failed'),
          ),
        ),
      );
    }
    await this.#resyncing;
    if (this.#client) (await this.#client.catch(() => undefined))?.destroy();
  }

  /** Checks the agent's service list and puts back what it forgot. Never throws. */
  #resync(): Promise<void> {
    this.#resyncing ??= this.#doResync().finally(() => (this.#resyncing = undefined));
    return this.#resyncing;
  }

  async #doResync(): Promise<void> {
    if (this.#registered.size === 0 || this.#closing) return;
    let known: Record<string, unknown>;
    try {
      known = await (await this.#consul()).agent.service.list();
    } catch (err) {
      this.#log.debug(
        { err: translateConsulError(err, 'list services', this.#options.addr) },
        'resync: agent unreachable',
      );
      return;
    }
    for (const reg of [...this.#registered.values()]) {
      if (Object.hasOwn(known, reg.id)) continue;
      try {
        await this.#exclusive(async () => {
          if (this.#registered.get(reg.id) !== reg || this.#closing) return;
          await this.#put(reg);
          this.#log.warn(
            { serviceName: reg.name, serviceId: reg.id },
            'the agent had forgotten this service: registered again',
          );
        });
      } catch (err) {
        this.#log.warn({ err, serviceId: reg.id }, 'resync: registering again failed; will retry');
      }
    }
  }

  #startResync(): void {
    if (this.#resyncTimer || this.#closing) return;
    this.#resyncTimer = setInterval(() => void this.#resync(), this.#options.resyncIntervalMs);
    this.#resyncTimer.unref();
  }

  async #put(reg: NormalizedRegistration): Promise<void> {
    const client = await this.#consul();
    try {
      await client.agent.service.register({
        name: reg.name,
        id: reg.id,
        address: reg.address,
        port: reg.port,
        tags: reg.tags,
        meta: reg.meta,
        check: {
          name: `${reg.name} ${reg.check.path}`,
          http: `http://${reg.address}:${reg.port}${reg.check.path}`,
          interval: reg.check.interval,
          timeout: reg.check.timeout,
          deregistercriticalserviceafter: reg.check.deregisterAfter,
        },
      });
    } catch (err) {
      throw translateConsulError(err, `register ${reg.id}`, this.#options.addr);
    }
  }

  async #remove(id: string): Promise<void> {
    const client = await this.#consul();
    try {
      await client.agent.service.deregister(id);
    } catch (err) {
      if (consulStatus(err) === 404) return; // already gone: deregister is idempotent
      throw translateConsulError(err, `deregister ${id}`, this.#options.addr);
    }
  }

  /** Runs agent writes one at a time, so a resync never races a register or deregister. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #consul(): Promise<Consul> {
    this.#client ??= newConsulClient(this.#options);
    return this.#client;
  }

  #assertOpen(op: string): void {
    if (this.#closing) throw new DiscoError('DISCO_ERR_CLOSED', `${op}: the registry is closed`);
  }
}

function toInstances(entries: HealthEntry[]): ServiceInstance[] {
  return entries
    .map(({ Node, Service }) => ({
      id: Service.ID,
      name: Service.Service,
      address: Service.Address || Node?.Address || '',
      port: Service.Port,
      tags: [...(Service.Tags ?? [])],
      meta: { ...(Service.Meta ?? {}) },
    }))
    .sort(byId);
}

interface WatchDeps {
  consul: () => Promise<Consul>;
  addr: string;
  wait: string;
  waitMs: number;
  log: Logger;
  onFailure: () => void;
  onClosed: () => void;
}

/** A blocking-query loop on the passing instances of one service. */
class ConsulWatch {
  readonly #name: string;
  readonly #onChange: (instances: ServiceInstance[]) => void;
  readonly #deps: WatchDeps;
  readonly #ctx: BlockingContext = Object.assign(new EventEmitter(), { includeResponse: true as const });
  readonly #abort = new AbortController();
  #last: string | undefined;

  constructor(name: string, onChange: (instances: ServiceInstance[]) => void, deps: WatchDeps) {
    this.#name = name;
    this.#onChange = onChange;
    this.#deps = deps;
    void this.#run();
  }

  close(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#ctx.emit('cancel');
    this.#deps.onClosed();
  }

  async #run(): Promise<void> {
    let index = 0n;
    let failures = 0;
    while (!this.#abort.signal.aborted) {
      try {
        const client = await this.#deps.consul();
        const [res, entries] = await (client.health.service as unknown as BlockingHealth).call(client.health, {
          service: this.#name,
          passing: true,
          index: index.toString(),
          wait: this.#deps.wait,
          timeout: this.#deps.waitMs + Math.ceil(this.#deps.waitMs / 16) + 5000,
          ctx: this.#ctx,
        });
        if (this.#abort.signal.aborted) return;
        failures = 0;
        const next = BigInt(res.headers['x-consul-index'] ?? '0');
        // An index that goes backwards means the agent's state was reset (restart): start over.
        index = next < index || next <= 0n ? 0n : next;
        this.#deliver(toInstances(entries));
        if (next <= 0n) await sleep(1000, undefined, { signal: this.#abort.signal });
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        failures++;
        index = 0n;
        this.#deps.log.warn(
          { err: translateConsulError(err, `watch ${this.#name}`, this.#deps.addr) },
          'watch query failed; retrying',
        );
        this.#deps.onFailure();
        const backoff = Math.min(2000, 100 * 2 ** Math.min(failures, 5)) * (0.5 + Math.random() / 2);
        await sleep(backoff, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      }
    }
  }

  #deliver(instances: ServiceInstance[]): void {
    const print = fingerprint(instances);
    if (print === this.#last) return;
    this.#last = print;
    try {
      this.#onChange(instances);
    } catch (err) {
      this.#deps.log.error({ err }, 'watch callback threw');
    }
  }
}
