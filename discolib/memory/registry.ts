import type { LoggerLike as Logger } from '../logger.js';
import { DiscoError } from '../errors.js';
import type { DiscoverQuery, ServiceInstance, ServiceRegistration, ServiceRegistry, WatchHandle } from '../port.js';
import { probeHttp } from '../probe.js';
import {
  byId,
  discoverQuerySchema,
  fingerprint,
  hasEveryTag,
  parseDuration,
  parseOrThrow,
  registrationSchema,
  serviceNameSchema,
  type MemoryRegistryOptions,
  type NormalizedRegistration,
} from '../schema.js';

interface Entry {
  readonly reg: NormalizedRegistration;
  passing: boolean;
  criticalSince: number | undefined;
  timer: NodeJS.Timeout | undefined;
  probing: boolean;
}

interface Watcher {
  readonly name: string;
  readonly onChange: (instances: ServiceInstance[]) => void;
  last: string | undefined;
  closed: boolean;
}

/**
 * A registry inside one process (the embedded run mode). Share one instance between the services that
 * must find each other. Health: with `health: 'probe'` (default) every instance is probed on its check path
 * like Consul does (critical until the first 2xx, removed after `deregisterAfter` critical); with
 * `health: 'passing'` every registered instance counts as passing.
 */
export class MemoryRegistry implements ServiceRegistry {
  readonly #options: MemoryRegistryOptions;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #watchers = new Set<Watcher>();
  #closed = false;

  constructor(options: MemoryRegistryOptions, logger: Logger) {
    this.#options = options;
    this.#log = logger;
  }

  async register(registration: ServiceRegistration): Promise<void> {
    this.#assertOpen('register');
    const reg = parseOrThrow(registrationSchema, registration, 'register');
    this.#stop(this.#entries.get(reg.id));
    const entry: Entry = {
      reg,
      passing: this.#options.health === 'passing',
      criticalSince: this.#options.health === 'passing' ? undefined : Date.now(),
      timer: undefined,
      probing: false,
    };
    this.#entries.set(reg.id, entry);
    this.#log.info({ serviceName: reg.name, serviceId: reg.id, port: reg.port }, 'registered');
    if (this.#options.health === 'probe') {
      entry.timer = setInterval(() => void this.#probe(entry), parseDuration(reg.check.interval));
      entry.timer.unref();
      void this.#probe(entry);
    }
    this.#notify();
  }

  async deregister(id: string): Promise<void> {
    this.#assertOpen('deregister');
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#remove(entry);
    this.#log.info({ serviceName: entry.reg.name, serviceId: id }, 'deregistered');
    this.#notify();
  }

  async discover(query: DiscoverQuery): Promise<ServiceInstance[]> {
    this.#assertOpen('discover');
    const { name, tags } = parseOrThrow(discoverQuerySchema, query, 'discover');
    return this.#passing(name).filter((i) => hasEveryTag(i, tags));
  }

  watch(name: string, onChange: (instances: ServiceInstance[]) => void): WatchHandle {
    this.#assertOpen('watch');
    parseOrThrow(serviceNameSchema, name, 'watch: name');
    const watcher: Watcher = { name, onChange, last: undefined, closed: false };
    this.#watchers.add(watcher);
    setImmediate(() => this.#deliver(watcher));
    return {
      close: () => {
        watcher.closed = true;
        this.#watchers.delete(watcher);
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watchers) w.closed = true;
    this.#watchers.clear();
    for (const entry of this.#entries.values()) this.#stop(entry);
    this.#entries.clear();
  }

  async #probe(entry: Entry): Promise<void> {
    if (entry.probing || this.#entries.get(entry.reg.id) !== entry) return;
    entry.probing = true;
    const { address, port, check } = entry.reg;
    const ok = await probeHttp(`http://${address}:${port}${check.path}`, parseDuration(check.timeout)!);
    entry.probing = false;
    if (this.#entries.get(entry.reg.id) !== entry) return;
    if (ok) entry.criticalSince = undefined;
    else entry.criticalSince ??= Date.now();
    if (!ok && Date.now() - entry.criticalSince! >= parseDuration(check.deregisterAfter)!) {
      this.#log.warn({ serviceName: entry.reg.name, serviceId: entry.reg.id }, 'critical too long: deregistered');
      this.#remove(entry);
      this.#notify();
      return;
    }
    if (ok !== entry.passing) {
      entry.passing = ok;
      this.#log.info({ serviceName: entry.reg.name, serviceId: entry.reg.id }, ok ? 'passing' : 'critical');
      this.#notify();
    }
  }

  #passing(name: string): ServiceInstance[] {
    const out: ServiceInstance[] = [];
    for (const { reg, passing } of this.#entries.values()) {
      if (!passing || reg.name !== name) continue;
      out.push({
        id: reg.id,
        name: reg.name,
        address: reg.address,
        port: reg.port,
        tags: [...reg.tags],
        meta: { ...reg.meta },
      });
    }
    return out.sort(byId);
  }

  #notify(): void {
    for (const w of this.#watchers) this.#deliver(w);
  }

  #deliver(watcher: Watcher): void {
    if (watcher.closed) return;
    const instances = this.#passing(watcher.name);
    const print = fingerprint(instances);
    if (print === watcher.last) return;
    watcher.last = print;
    try {
      watcher.onChange(instances);
    } catch (err) {
      this.#log.error({ err, service: watcher.name }, 'watch callback threw');
    }
  }

  #remove(entry: Entry): void {
    this.#stop(entry);
    this.#entries.delete(entry.reg.id);
  }

  #stop(entry: Entry | undefined): void {
    if (entry?.timer) clearInterval(entry.timer);
  }

  #assertOpen(op: string): void {
    if (this.#closed) throw new DiscoError('DISCO_ERR_CLOSED', `${op}: the registry is closed`);
  }
}
