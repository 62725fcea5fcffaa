import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { PlatformDeps } from '../../platform/index.js';
import type { RestApp } from '../../restlib/index.js';
import type { Upstreams } from '../upstream.js';
import { libraryApiRoutes } from './api.js';
import { accountPages } from './accountPages.js';
import { adminPages } from './adminPages.js';
import { pageKit } from './kit.js';
import { readerPages } from './readerPages.js';
import { sessionSecret } from './session.js';

export { LIBRARY_UPSTREAMS } from './api.js';

/**
 * The library web app (issue 9) on the gateway: server-rendered pages under `/library/` (catalog, my books, login,
 * logout, about, admin) and JSON routes under `/library/api/`. Sessions are signed cookies (@fastify/cookie) with
 * `BOOKSHELF_SESSION_SECRET`, so they survive restarts and work on every gateway instance. Borrowing and returning
 * go through the gateway's own lending routes (`?wait=true`), so every rule is the lending flow's decision.
 */
export async function libraryGatewayRoutes(app: RestApp, up: Upstreams, deps: PlatformDeps): Promise<void> {
  const secret = sessionSecret(process.env, deps.bus.kind === 'memory', deps.log);
  await app.register(async (plugin) => {
    const scope = plugin as unknown as RestApp;
    await scope.register(cookie, { secret });
    await scope.register(formbody, { bodyLimit: 16 * 1024 });
    libraryApiRoutes(scope, up);
    const kit = pageKit(app, deps);
    readerPages(scope, kit);
    accountPages(scope, kit, deps.clock);
    adminPages(scope, kit);
  });
}
