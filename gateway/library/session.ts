import { randomUUID } from 'node:crypto';
import type secureSession from '@fastify/secure-session';
import { z } from 'zod';
import type { Flash, PageSession } from './pages.js';

/**
 * Name of the session cookie (path `/library`): @fastify/secure-session seals its content (libsodium secretbox:
 * XSalsa20-Poly1305), so it can be neither read nor changed without the session key.
 */
export const SESSION_COOKIE = 'bookshelf_library_session';
/** How long a login lasts, from the login on (and how long an idle session cookie lives). */
export const SESSION_MAX_AGE_S = 8 * 60 * 60;

/** What a login puts in the session: the patron, a new session id, and when they logged in. */
const LoginSchema = z.strictObject({
  sid: z.uuid(),
  libraryId: z.string().min(1).max(40),
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
  role: z.enum(['patron', 'librarian']),
  /** Epoch seconds: a login older than `SESSION_MAX_AGE_S` is over, however active the session was. */
  at: z.number().int(),
});
const FlashSchema = z.object({ kind: z.enum(['success', 'error', 'info']), text: z.string().max(500) });

type Session = secureSession.Session;
/** The session's `set` for this app's fields (the plugin's typing knows of none). */
const set = (session: Session, key: 'login' | 'flash', value: unknown) =>
  (session as unknown as { set(key: string, value: unknown): void }).set(key, value);

/** The logged-in patron of a session, or undefined (none, malformed, or a login older than its max age). */
export function sessionPatron(session: Session, now: Date): PageSession | undefined {
  const parsed = LoginSchema.safeParse(session.get('login'));
  if (!parsed.success) return undefined;
  const age = now.getTime() / 1000 - parsed.data.at;
  if (age < -60 || age > SESSION_MAX_AGE_S) return undefined;
  const { libraryId, firstName, lastName, role } = parsed.data;
  return { libraryId, firstName, lastName, role };
}

/**
 * Logs a patron in: the session is regenerated first (everything it held before, the CSRF secret included, is
 * dropped), then gets a new session id, so a session planted before the login is not the one that is logged in.
 */
export function startLogin(session: Session, patron: PageSession, now: Date): void {
  session.regenerate();
  set(session, 'login', { sid: randomUUID(), ...patron, at: Math.floor(now.getTime() / 1000) });
}

/** Logs out: the session is regenerated empty (a new CSRF secret comes with the next form). */
export function endLogin(session: Session): void {
  session.regenerate();
}

/** The session id of the login (tests and logs tell sessions apart by it; it is no credential). */
export function sessionId(session: Session): string | undefined {
  const parsed = LoginSchema.safeParse(session.get('login'));
  return parsed.success ? parsed.data.sid : undefined;
}

/** The one-shot message of the next page (the outcome of a form post), kept in the sealed session. */
export function putFlash(session: Session, flash: Flash): void {
  set(session, 'flash', flash);
}

export function takeFlash(session: Session): Flash | undefined {
  const value: unknown = session.get('flash');
  if (value === undefined) return undefined;
  set(session, 'flash', undefined);
  const parsed = FlashSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const SAFE_NEXT = /^\/library\/[A-Za-z0-9\-._~/?=&%+]*$/;

/** Where to send the patron after login: a path under /library/ only (no open redirect), else the catalog. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && SAFE_NEXT.test(next) && !next.includes('//') && next.length <= 500
    ? next
    : '/library/catalog';
}
