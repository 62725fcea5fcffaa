/**
 * The service-registry port. Adapters: `memory/` (one process) and `consul/` (a Consul agent).
 * Every adapter passes the contract suite in `testing/describeRegistry.ts`.
 */

/** How the registry decides that an instance is healthy: an HTTP GET on the instance, 2xx = passing. */
export interface HealthCheck {
  /** Path probed on `http://address:port`; default `/ready`. */
  path?: string;
  /** Probe period, Go-style duration (`500ms`, `5s`, `1m`); default `5s`. Consul's minimum is `1s`. */
  interval?: string;
  /** Probe timeout; default `2s`. */
  timeout?: string;
  /** Remove the instance once it has been critical this long; default `1m` (Consul's minimum). */
  deregisterAfter?: string;
}

export interface ServiceRegistration {
  /** Service name, found by `discover({ name })` and in DNS as `<name>.service.consul`. */
  name: string;
  /** Unique instance id (per agent), e.g. `lastread1`. */
  id: string;
  /** Address other processes reach the instance at (never `0.0.0.0`). */
  address: string;
  port: number;
  tags: string[];
  meta?: Record<string, string>;
  /** Health check on the instance's readiness endpoint; defaults apply when omitted. */
  check?: HealthCheck;
}

export interface ServiceInstance {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
}

export interface DiscoverQuery {
  name: string;
  /** Every tag listed must be present on the instance. Omit for "any tags"; `[]` is an error. */
  tags?: string[];
}

export interface WatchHandle {
  /** Stops the watch. Idempotent. */
  close(): void;
}

export interface ServiceRegistry {
  /** Registers (or replaces) an instance. Resolves once the backend has accepted it. */
  register(registration: ServiceRegistration): Promise<void>;
  /** Removes an instance. Unknown ids are not an error. */
  deregister(id: string): Promise<void>;
  /** Passing instances of `name` carrying every requested tag, sorted by id. */
  discover(query: DiscoverQuery): Promise<ServiceInstance[]>;
  /**
   * Calls `onChange` with the passing instances of `name` (sorted by id): once with the current list, then
   * whenever the list changes. Backend errors are logged and retried; the watch keeps going until closed.
   */
  watch(name: string, onChange: (instances: ServiceInstance[]) => void): WatchHandle;
  /** Stops watches and background loops, and deregisters what this registry registered. Idempotent. */
  close(): Promise<void>;
}
