import type { PlatformDeps } from '../platform/index.js';
import type { RestApp } from '../restlib/index.js';
import type { GatewaySecurity } from './security.js';
import type { Upstreams } from './upstream.js';

/** A link of the front door (`GET /`): a GET route a person can open as it is. */
export interface EntryLink {
  href: string;
  text: string;
  /** An admin route: with API keys or JWT on, a browser cannot follow it, so the front door says what it needs. */
  access?: 'admin';
}

/** What the gateway gives every module besides the upstreams: its security settings and its own credential. */
export interface GatewayContext {
  readonly security: GatewaySecurity;
  /**
   * Headers for a call of one of this gateway's routes to another (`app.inject`, as the library pages borrow
   * through the lending routes): the gateway's own credential when write routes need one, else none.
   */
  readonly internalHeaders: Readonly<Record<string, string>>;
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
  routes(app: RestApp, up: Upstreams, deps: PlatformDeps, gateway: GatewayContext): void | Promise<void>;
}
