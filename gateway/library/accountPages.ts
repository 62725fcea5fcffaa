import type { z } from 'zod';
import type { RestApp } from '../../restlib/index.js';
import type { PageKit } from './kit.js';
import { findPatron, type PatronSchema } from '../../aggregates/library/contract.js';
import { loginPage, type PageSession } from './pages.js';
import { encodeSession, safeNext, SESSION_COOKIE, SESSION_MAX_AGE_S } from './session.js';
import { LoginForm, PageError } from './kit.js';

/** Logging in (checked against the patron registry) and out: a signed session cookie. */
export function accountPages(scope: RestApp, kit: PageKit, clock: () => Date): void {
  const { send, page, context, call, redirect, setFlash, cookieOptions } = kit;
  scope.get(
    '/library/login',
    { schema: { hide: true } },
    page(async (req, reply) => {
      const next = safeNext((req.query as Record<string, unknown>).next);
      return send(reply, 200, loginPage(context(req, reply), next));
    }),
  );

  scope.post(
    '/library/login',
    { schema: { hide: true } },
    page(async (req, reply) => {
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(raw.next);
      const form = LoginForm.safeParse(raw);
      const ctx = { session: undefined, here: req.url };
      const values = {
        firstName: typeof raw.firstName === 'string' ? raw.firstName : '',
        lastName: typeof raw.lastName === 'string' ? raw.lastName : '',
        libraryId: typeof raw.libraryId === 'string' ? raw.libraryId : '',
      };
      const wrong = (text: string) =>
        send(reply, 401, loginPage({ ...ctx, flash: { kind: 'error', text } }, next, values));
      if (!form.success) return wrong('Please fill in your first name, last name and library ID.');
      const { firstName, lastName, libraryId } = form.data;
      const res = await call<z.infer<typeof PatronSchema>>(
        'GET',
        `/library/api/patrons/${encodeURIComponent(libraryId)}`,
      );
      if (res.status === 404) return wrong('Login failed: no patron with this name and library ID.');
      if (res.status !== 200 || !res.body) throw new PageError(503, 'The patron registry is not available right now.');
      const patron = res.body;
      if (!findPatron(new Map([[patron.libraryId, patron]]), { firstName, lastName, libraryId })) {
        return wrong('Login failed: no patron with this name and library ID.');
      }
      const session: PageSession = {
        libraryId: patron.libraryId,
        firstName: patron.firstName,
        lastName: patron.lastName,
        role: patron.role,
      };
      void reply.setCookie(SESSION_COOKIE, encodeSession(session, clock()), {
        ...cookieOptions,
        maxAge: SESSION_MAX_AGE_S,
      });
      setFlash(reply, { kind: 'success', text: `Welcome, ${patron.firstName}!` });
      return redirect(reply, next);
    }),
  );

  scope.post(
    '/library/logout',
    { schema: { hide: true } },
    page(async (_req, reply) => {
      void reply.clearCookie(SESSION_COOKIE, { path: '/library' });
      setFlash(reply, { kind: 'info', text: 'You are logged out.' });
      return redirect(reply, '/library/catalog');
    }),
  );
}
