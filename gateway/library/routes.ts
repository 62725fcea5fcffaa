import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import secureSession from '@fastify/secure-session';
import type { FastifyRequest } from 'fastify';
import { DEMO_PATRONS } from '../../aggregates/library/contract.js';
import type { PlatformDeps } from '../../platform/index.js';
import type { RestApp } from '../../restlib/index.js';
import type { GatewayContext, GatewayModule } from '../module.js';
import type { Upstreams } from '../upstream.js';
import { LIBRARY_UPSTREAMS, libraryApiRoutes, seedApiRoutes } from './api.js';
import { accountPages } from './accountPages.js';
import { adminPages } from './adminPages.js';
import { pageKit } from './kit.js';
import { attemptLimiter } from './loginLimit.js';
import { errorPage } from './pages.js';
import { readerPages } from './readerPages.js';
import { SESSION_COOKIE, SESSION_MAX_AGE_S } from './session.js';

export { LIBRARY_UPSTREAMS } from './api.js';

/** `host[:port]` without the default ports, lower-case: what an Origin or Referer is compared by. */
const hostOf = (value: string): string => value.toLowerCase().replace(/:(80|443)$/, '');

/**
 * A form post from this site: its Origin (or, without one, its Referer) names this host, and the browser does not
 * say it is cross-site. A post with neither header is refused: every browser sends Origin on a form post.
 */
export function fromThisSite(req: FastifyRequest): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  const from = req.headers.origin ?? req.headers.referer;
  if (!from || from === 'null') return false;
  try {
    return hostOf(new URL(from).host) === hostOf(req.host);
  } catch {
    return false;
  }
}

/**
 * The library web app (issue 9) on the gateway: server-rendered pages under `/library/` (catalog, my books, login,
 * logout, about, admin) and JSON routes under `/library/api/`. Sessions are encrypted cookies
 * (@fastify/secure-session, keys from `--session-key-file` / `BOOKSHELF_SESSION_KEY`, else made at start), so they
 * work on every gateway instance with the same key and survive a restart; every form carries a CSRF token
 * (@fastify/csrf-protection) and must come from this site (Origin or Referer). Failed logins are limited per
 * library card. Borrowing and returning go through the gateway's own lending routes (`?wait=true`), so every rule
 * is the lending flow's decision.
 */
export async function libraryGatewayRoutes(
  app: RestApp,
  up: Upstreams,
  deps: PlatformDeps,
  gateway: GatewayContext,
): Promise<void> {
  const { security } = gateway;
  if (!security.sessionKeyFrom) {
    const say = deps.bus.kind === 'memory' ? 'info' : 'warn';
    deps.log[say](
      'library sessions use a key made at start: logins end at restart and work on this gateway instance only ' +
        '(--session-key-file or BOOKSHELF_SESSION_KEY keeps them)',
    );
  }
  libraryApiRoutes(app, up);
  seedApiRoutes(app, up);
  await app.register(async (plugin) => {
    const scope = plugin as unknown as RestApp;
    await scope.register(secureSession, {
      cookieName: SESSION_COOKIE,
      key: [...security.sessionKeys],
      expiry: SESSION_MAX_AGE_S,
      cookie: { path: '/library', httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: SESSION_MAX_AGE_S },
    });
    await scope.register(csrfProtection, { sessionPlugin: '@fastify/secure-session', getToken: csrfToken });
    await scope.register(formbody, { bodyLimit: 16 * 1024 });
    const kit = pageKit(app, deps, gateway);
    // Every form post: from this site (before the body is read), then its CSRF token (once it is parsed).
    scope.addHook('onRequest', async (req, reply) => {
      if (req.method !== 'POST' || fromThisSite(req)) return;
      req.log.info({ origin: req.headers.origin, referer: req.headers.referer }, 'cross-site form post refused');
      const ctx = { session: kit.sessionOf(req), here: req.url };
      return kit.send(reply, 403, errorPage(ctx, 'Forbidden', 'This form was not sent from this site.'));
    });
    scope.addHook('preHandler', (req, reply, done) => {
      if (req.method === 'POST') scope.csrfProtection(req, reply, done);
      else done();
    });
    scope.setErrorHandler((err, req, reply) => kit.sendPageError(req, reply, err));
    readerPages(scope, kit);
    accountPages(scope, kit, attemptLimiter({ ...security.loginLimit, clock: deps.clock }), deps.clock);
    adminPages(scope, kit);
  });
}

/** The token of a form post: its `_csrf` field (the pages' forms), else the `x-csrf-token` header. */
function csrfToken(req: FastifyRequest): string | void {
  const field = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof field === 'string') return field;
  const header = req.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
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
    { href: '/library/api/patrons', text: 'The registered patrons (JSON)', access: 'admin' },
  ],
  routes: libraryGatewayRoutes,
};
