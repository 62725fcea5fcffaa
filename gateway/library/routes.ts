import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { DEMO_PATRONS } from '../../aggregates/library/contract.js';
import type { PlatformDeps } from '../../platform/index.js';
import type { RestApp } from '../../restlib/index.js';
import type { GatewayModule } from '../module.js';
import type { Upstreams } from '../upstream.js';
import { LIBRARY_UPSTREAMS, libraryApiRoutes } from './api.js';
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

const demo = (role: 'patron' | 'librarian') => {
  const p = DEMO_PATRONS.find((x) => x.role === role)!;
  return { firstName: p.firstName, lastName: p.lastName, libraryId: p.libraryId };
};

/** Who the front door and the start-up banner suggest logging in as (what the login page accepts). */
export const LIBRARY_DEMO_LOGINS = Object.freeze({ patron: demo('patron'), librarian: demo('librarian') });

/** `Ada Lovelace, library ID L-1001`: a demo login as people type it into the login page. */
export const loginText = (l: { firstName: string; lastName: string; libraryId: string }) =>
  `${l.firstName} ${l.lastName}, library ID ${l.libraryId}`;

export const LIBRARY_GATEWAY: GatewayModule = {
  domain: 'library',
  summary: 'The library web app (catalog, log in, borrow, return) and its JSON API',
  upstreams: Object.values(LIBRARY_UPSTREAMS),
  requires: ['lending'],
  entries: [
    { href: '/library/', text: `The library web app (log in as ${loginText(LIBRARY_DEMO_LOGINS.patron)})` },
    { href: '/library/api/books', text: 'The catalog (JSON)' },
    { href: '/library/api/patrons', text: 'The registered patrons (JSON)' },
  ],
  routes: libraryGatewayRoutes,
};
