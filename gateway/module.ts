import type { PlatformDeps } from '../platform/index.js';
import type { RestApp } from '../restlib/index.js';
import type { Upstreams } from './upstream.js';

/** A link of the front door (`GET /`): a GET route a person can open as it is. */
export interface EntryLink {
  href: string;
  text: string;
}

/**
 * A domain's part of the gateway: its routes, forwarded to its services through `up`; the registry names of those
 * services (the gateway is ready once each has a passing instance); and where a person starts (front door links).
 */
export interface GatewayModule {
  /** The name `bookshelf gateway --domains` takes. */
  readonly domain: string;
  readonly summary: string;
  /** Registry names of the services the routes forward to. */
  readonly upstreams: readonly string[];
  /** Domains whose routes these routes call (the library pages borrow through the lending routes). */
  readonly requires?: readonly string[];
  readonly entries: readonly EntryLink[];
  routes(app: RestApp, up: Upstreams, deps: PlatformDeps): void | Promise<void>;
}
