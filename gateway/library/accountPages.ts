import type { z } from 'zod';
import type { RestApp } from '../../restlib/index.js';
import type { PageKit } from './kit.js';
import type { AttemptLimiter } from './loginLimit.js';
import { findPatron, type PatronSchema } from '../../aggregates/library/contract.js';
import { loginPage } from './pages.js';
import { endLogin, safeNext, startLogin } from './session.js';
import { LoginForm, PageError } from './kit.js';

const minutes = (s: number) => `${Math.ceil(s / 60)} ${Math.ceil(s / 60) === 1 ? 'minute' : 'minutes'}`;

/**
 * Logging in (checked against the patron registry) and out. A login regenerates the session (a new session id
 * and cookie), a logout empties it. Failed logins are counted per library card: past the limit, the card's login
 * answers 429 with Retry-After, whatever the names, until the window has passed; a successful login resets it.
 */
export function accountPages(scope: RestApp, kit: PageKit, limiter: AttemptLimiter, clock: () => Date): void {
  const { send, page, context, call, redirect, setFlash } = kit;
  const session = { config: { access: 'session' as const }, schema: { hide: true } };
  scope.get(
    '/library/login',
    { schema: { hide: true } },
    page(async (req, reply) => {
      const next = safeNext((req.query as Record<string, unknown>).next);
      return send(reply, 200, loginPage(context(req, reply, { forms: true }), next));
    }),
  );

  scope.post(
    '/library/login',
    session,
    page(async (req, reply) => {
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(raw.next);
      const form = LoginForm.safeParse(raw);
      const values = {
        firstName: typeof raw.firstName === 'string' ? raw.firstName : '',
        lastName: typeof raw.lastName === 'string' ? raw.lastName : '',
        libraryId: typeof raw.libraryId === 'string' ? raw.libraryId : '',
      };
      const again = (status: number, text: string) =>
        send(
          reply,
          status,
          loginPage({ ...context(req, reply, { forms: true }), flash: { kind: 'error', text } }, next, values),
        );
      const card = values.libraryId.trim().slice(0, 40);
      const blocked = card ? limiter.blocked(card) : undefined;
      if (blocked) {
        req.log.info({ libraryId: card }, 'login refused: too many failed attempts with this card');
        void reply.header('retry-after', String(blocked.retryAfterS));
        return again(
          429,
          `Too many failed logins with library ID ${card}. Try again in ${minutes(blocked.retryAfterS)}.`,
        );
      }
      if (!form.success) return again(401, 'Please fill in your first name, last name and library ID.');
      const { firstName, lastName, libraryId } = form.data;
      const wrong = () => {
        limiter.failed(card);
        return again(401, 'Login failed: no patron with this name and library ID.');
      };
      const res = await call<z.infer<typeof PatronSchema>>(
        'GET',
        `/library/api/patrons/${encodeURIComponent(libraryId)}`,
      );
      if (res.status === 404) return wrong();
      if (res.status !== 200 || !res.body) throw new PageError(503, 'The patron registry is not available right now.');
      const patron = res.body;
      if (!findPatron(new Map([[patron.libraryId, patron]]), { firstName, lastName, libraryId })) return wrong();
      limiter.succeeded(card);
      const { firstName: first, lastName: last, role } = patron;
      startLogin(req.session, { libraryId: patron.libraryId, firstName: first, lastName: last, role }, clock());
      setFlash(reply, { kind: 'success', text: `Welcome, ${patron.firstName}!` });
      return redirect(reply, next);
    }),
  );

  scope.post(
    '/library/logout',
    session,
    page(async (req, reply) => {
      endLogin(req.session);
      setFlash(reply, { kind: 'info', text: 'You are logged out.' });
      return redirect(reply, '/library/catalog');
    }),
  );
}
