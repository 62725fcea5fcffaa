import { randomBytes } from 'node:crypto';
import { bearerAuthPlugin } from '../restlib/index.js';
import { trackUpstreams, type PlatformDeps, type ServiceComponent, type ComponentIdentity } from '../platform/index.js';
import { BOOKSHELF_GATEWAY } from './bookshelfRoutes.js';
import { frontDoorRoute } from './frontDoor.js';
import { LENDING_GATEWAY } from './lendingRoutes.js';
import { LIBRARY_GATEWAY } from './library/routes.js';
import type { GatewayContext, GatewayModule } from './module.js';
import { ORDERS_GATEWAY } from './ordersRoutes.js';
import { upstreamGate } from './readiness.js';
import { authRequired, gatewaySecurity, securityLines, type GatewaySecurity } from './security.js';
import { upstreams } from './upstream.js';

export type { EntryLink, GatewayContext, GatewayModule } from './module.js';
export {
  authRequired,
  gatewaySecurity,
  loadGatewaySecurity,
  securityLines,
  type GatewaySecurity,
  type GatewaySecurityConfig,
} from './security.js';

/** The gateway's component, with what it enforces (for the start-up banner). */
export interface GatewayComponent extends ServiceComponent {
  readonly security: GatewaySecurity;
}

/** Every domain's routes, in the order they are mounted. */
export const DEFAULT_GATEWAY_MODULES: readonly GatewayModule[] = [
  BOOKSHELF_GATEWAY,
  ORDERS_GATEWAY,
  LENDING_GATEWAY,
  LIBRARY_GATEWAY,
];

export const GATEWAY_DOMAINS: readonly string[] = DEFAULT_GATEWAY_MODULES.map((m) => m.domain);

/**
 * The modules of the named domains, with the domains they need (library -> lending), in the default order.
 * An unknown name is a TypeError naming the known ones.
 */
export function gatewayModules(domains: readonly string[]): GatewayModule[] {
  const wanted = new Set<string>();
  const add = (name: string) => {
    const mod = DEFAULT_GATEWAY_MODULES.find((m) => m.domain === name);
    if (!mod) throw new TypeError(`unknown gateway domain "${name}" (known: ${GATEWAY_DOMAINS.join(', ')})`);
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const r of mod.requires ?? []) add(r);
  };
  for (const d of domains) add(d);
  return DEFAULT_GATEWAY_MODULES.filter((m) => wanted.has(m.domain));
}

/**
 * The gateway: the public HTTP surface of every domain. It finds the services through the registry continuously
 * (a watch per service), fails over between instances, and answers 503 problem+json while a service has none.
 * `/ready` answers 200 only once every upstream of its modules has had a passing instance (see `upstreamGate`),
 * so a caller that waited for it is routed. With API keys or JWT in `security`, write and admin routes need
 * `Authorization: Bearer` (restlib's `bearerAuthPlugin`); without, they are open (the default of `bookshelf start`).
 */
export function gatewayService(
  deps: PlatformDeps,
  opts: { identity: ComponentIdentity; modules?: readonly GatewayModule[]; security?: GatewaySecurity },
): GatewayComponent {
  const modules = opts.modules ?? DEFAULT_GATEWAY_MODULES;
  const security = opts.security ?? gatewaySecurity();
  // The gateway's own key, for its pages' calls to its routes: made here, never leaves the process.
  const internal = { name: 'gateway-internal', key: randomBytes(32).toString('base64url') };
  const context: GatewayContext = {
    security,
    internalHeaders: authRequired(security) ? { authorization: `Bearer ${internal.key}` } : {},
  };
  for (const m of modules) {
    const missing = (m.requires ?? []).filter((r) => !modules.some((x) => x.domain === r));
    if (missing.length) throw new TypeError(`gateway: the ${m.domain} routes need the ${missing.join(', ')} routes`);
  }
  const up = upstreams(deps.registry, deps.log);
  const untrack = trackUpstreams(() => up.known());
  const gate = upstreamGate(
    deps.registry,
    modules.flatMap((m) => m.upstreams),
    deps.log.child({ gateway: opts.identity.id }),
  );
  return {
    identity: opts.identity,
    description: 'Bookshelf gateway: one HTTP entry to every domain',
    security,
    async routes(app) {
      const log = deps.log.child({ gateway: opts.identity.id });
      for (const line of securityLines(security)) log.info(line);
      if (authRequired(security)) {
        await app.register(bearerAuthPlugin, { apiKeys: [...security.apiKeys, internal], jwt: security.jwt });
      }
      for (const mod of modules) await mod.routes(app, up, deps, context);
      frontDoorRoute(app, modules, authRequired(security));
    },
    readiness: () => {
      if (gate.isOpen()) return { ready: true, checks: { upstreams: up.known() } };
      const missing = gate.missing();
      return {
        ready: false,
        detail: `no passing instance of ${missing.join(', ')}`,
        checks: { upstreams: gate.passing(), waitingFor: missing },
      };
    },
    stop: async () => {
      gate.close();
      untrack();
      await up.close();
    },
  };
}
