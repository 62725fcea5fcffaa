import type { Logger } from 'pino';
import type { EventBus } from '../eventlib/index.js';
import type { ServiceRegistry } from '../discolib/index.js';
import type { Readiness, RestApp } from '../restlib/index.js';

/** What every service process gets from the composition root. */
export interface PlatformDeps {
  bus: EventBus;
  registry: ServiceRegistry;
  log: Logger;
  /** Injected so domain code never reads the wall clock itself. */
  clock: () => Date;
}

/**
 * Consul identity of a component (SPEC §5 names, ids and tags by default). Not restlib's `ServiceIdentity` (a
 * registration, with address and port): this one is what a domain service declares.
 */
export interface ComponentIdentity {
  name: string;
  id: string;
  tags: string[];
}

/**
 * One service, independent of how it is hosted: alone in its process (`bookshelf view last-read`) or beside the
 * others (`bookshelf up`, `npm start`). The host builds its fastify app, registers it, and shuts it down in order.
 */
export interface ServiceComponent {
  readonly identity: ComponentIdentity;
  readonly description: string;
  /** Adds the service's routes to an app made by restlib's `buildServer`. */
  routes(app: RestApp): void | Promise<void>;
  /** What `/ready` reports: the bus connected and every subscription caught up. */
  readiness(): Readiness | Promise<Readiness>;
  /** Stops the service's consumers, draining in-flight handlers (shutdown step "stop consumers"). */
  stop(): Promise<void>;
  /**
   * Rejects when the service can never work again (a read model that cannot subscribe, a log lost on the
   * server): the host logs the error and stops the process with exit code 1, instead of serving wrong answers.
   */
  readonly failed?: Promise<never>;
}
