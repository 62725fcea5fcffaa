import { z } from 'zod';
import type { Logger } from 'pino';
import type { PageSession } from './pages.js';

/** Name of the signed session cookie (path `/library`). */
export const SESSION_COOKIE = 'bookshelf_library_session';
/** Name of the signed one-shot message cookie (the outcome of the last form post). */
export const FLASH_COOKIE = 'bookshelf_library_flash';
/** Env var holding the secret that signs the cookies; every gateway instance must get the same one. */
export const SESSION_SECRET_ENV = 'BOOKSHELF_SESSION_SECRET';
/** The fixed secret of embedded mode (`bookshelf start`) only: sessions survive a restart there too. */
export const DEV_SESSION_SECRET = 'bookshelf-embedded-dev-session-secret-not-for-real-deployments';
/** How long a login lasts. */
export const SESSION_MAX_AGE_S = 8 * 60 * 60;

const SessionSchema = z.strictObject({
  v: z.literal(1),
  libraryId: z.string().min(1).max(40),
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
  role: z.enum(['patron', 'librarian']),
  /** Issued at, epoch seconds: a cookie kept beyond its max age is refused on the server too. */
  iat: z.number().int(),
});

/**
 * The secret that signs session cookies: `BOOKSHELF_SESSION_SECRET` (at least 32 characters) when set; otherwise
 * the fixed dev secret on the in-memory bus (embedded), and a random per-process secret on real infrastructure
 * (logged as a warning: sessions then neither survive a restart nor work across gateway instances).
 */
export function sessionSecret(env: Record<string, string | undefined>, embedded: boolean, log: Logger): string {
  const configured = env[SESSION_SECRET_ENV];
  if (configured !== undefined && configured !== '') {
    if (configured.length < 32) throw new Error(`${SESSION_SECRET_ENV} must be at least 32 characters`);
    return configured;
  }
  if (embedded) return DEV_SESSION_SECRET;
  log.warn(
    `${SESSION_SECRET_ENV} is not set: library sessions use a random secret of this process only (lost at restart, ` +
      'not shared with other gateway instances)',
  );
  return crypto.randomUUID() + crypto.randomUUID();
}

/** Cookie value (before signing) for a logged-in patron. */
export function encodeSession(session: PageSession, now: Date): string {
  const payload = { v: 1, ...session, iat: Math.floor(now.getTime() / 1000) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The session in a verified cookie value, or undefined when malformed or older than `SESSION_MAX_AGE_S`. */
export function decodeSession(value: string, now: Date): PageSession | undefined {
  try {
    const parsed = SessionSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const age = now.getTime() / 1000 - parsed.data.iat;
    if (age < -60 || age > SESSION_MAX_AGE_S) return undefined;
    const { libraryId, firstName, lastName, role } = parsed.data;
    return { libraryId, firstName, lastName, role };
  } catch {
    return undefined;
  }
}

const SAFE_NEXT = /^\/library\/[A-Za-z0-9\-._~/?=&%+]*$/;

/** Where to send the patron after login: a path under /library/ only (no open redirect), else the catalog. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && SAFE_NEXT.test(next) && !next.includes('//') && next.length <= 500
    ? next
    : '/library/catalog';
}
