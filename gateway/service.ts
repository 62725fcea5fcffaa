import { trackUpstreams, type PlatformDeps, type ServiceComponent, type ComponentIdentity } from '../platform/index.js';
import type { RestApp } from '../restlib/index.js';
import { bookshelfGatewayRoutes } from './bookshelfRoutes.js';
import { ordersGatewayRoutes } from './ordersRoutes.js';
import { lendingGatewayRoutes } from './lendingRoutes.js';
import { libraryGatewayRoutes } from './library/routes.js';
import { upstreams, type Upstreams } from './upstream.js';

/** A domain's routes on the gateway, forwarded to its services through `up`. */
export type GatewayModule = (app: RestApp, up: Upstreams, deps: PlatformDeps) => void | Promise<void>;

export const DEFAULT_GATEWAY_MODULES: GatewayModule[] = [
  bookshelfGatewayRoutes,
  ordersGatewayRoutes,
  lendingGatewayRoutes,
  libraryGatewayRoutes,
];

/**
 * The gateway: the public HTTP surface of every domain. It finds the services through the registry continuously
 * (a watch per service), fails over between instances, and answers 503 problem+json while a service has none.
 */
export function gatewayService(
  deps: PlatformDeps,
  opts: { identity: ComponentIdentity; modules?: GatewayModule[] },
): ServiceComponent {
  const up = upstreams(deps.registry, deps.log);
  const untrack = trackUpstreams(() => up.known());
  return {
    identity: opts.identity,
    description: 'Bookshelf gateway: one HTTP entry to every domain',
    async routes(app) {
      for (const mod of opts.modules ?? DEFAULT_GATEWAY_MODULES) await mod(app, up, deps);
    },
    readiness: () => ({ ready: true, checks: { upstreams: up.known() } }),
    stop: async () => {
      untrack();
      await up.close();
    },
  };
}
