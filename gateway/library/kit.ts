import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PlatformDeps } from '../../platform/index.js';
import { IDEMPOTENCY_KEY_HEADER } from '../../platform/index.js';
import type { RestApp } from '../../restlib/index.js';
import { CredentialsSchema, type Book } from '../../aggregates/library/contract.js';
import type { WaitAnswer } from './messages.js';
import { errorPage, type Flash, type PageContext, type PageSession } from './pages.js';
import { decodeSession, FLASH_COOKIE, SESSION_COOKIE } from './session.js';

const FormText = z.string().max(500).optional();
/** The per-form key the pages put in every form (`formKey`): the idempotency key of what the form does. */
const FormKey = z.uuid().optional();
export const BookForm = z.object({ book: z.string().min(1).max(100), next: FormText, formKey: FormKey });
export const ResetForm = z.object({ formKey: FormKey });
export const LoginForm = CredentialsSchema.extend({ next: FormText });

/** A book as the lending view's `/books/{id}` has it. */
export interface LendingBook {
  copies: number;
  available: number;
  holders: { user: string; due: string }[];
}

/** An error a page shows as a page, with its status. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What every library page uses: calls to this gateway's own routes (the same rules and read-your-writes), the
 * signed session and flash cookies, page rendering with its security headers, and the checks of who may do what.
 */
export function pageKit(root: RestApp, deps: PlatformDeps) {
  /** Calls a route of this gateway (lending and library JSON routes): the same path, rules and read-your-writes. */
  const call = async <T>(method: 'GET' | 'POST', url: string, payload?: unknown, key?: string) => {
    const res = await root.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      ...(key === undefined ? {} : { headers: { [IDEMPOTENCY_KEY_HEADER]: key } }),
    });
    let body: unknown;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body: body as T | undefined };
  };
  const mustGet = async <T>(url: string): Promise<T> => {
    const res = await call<T>('GET', url);
    if (res.status !== 200 || res.body === undefined) {
      throw new PageError(res.status === 404 ? 404 : 503, `A library service is not available (HTTP ${res.status}).`);
    }
    return res.body;
  };
  const sessionOf = (req: FastifyRequest): PageSession | undefined => {
    const value = req.cookies[SESSION_COOKIE];
    if (!value) return undefined;
    const unsigned = req.unsignCookie(value);
    return unsigned.valid && unsigned.value ? decodeSession(unsigned.value, deps.clock()) : undefined;
  };
  const cookieOptions = { path: '/library', httpOnly: true, sameSite: 'lax', signed: true } as const;
  const setFlash = (reply: FastifyReply, flash: Flash) =>
    reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(flash)).toString('base64url'), {
      ...cookieOptions,
      maxAge: 60,
    });
  const takeFlash = (req: FastifyRequest, reply: FastifyReply): Flash | undefined => {
    const value = req.cookies[FLASH_COOKIE];
    if (!value) return undefined;
    void reply.clearCookie(FLASH_COOKIE, { path: '/library' });
    const unsigned = req.unsignCookie(value);
    if (!unsigned.valid || !unsigned.value) return undefined;
    try {
      const flash = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Flash;
      return ['success', 'error', 'info'].includes(flash.kind) && typeof flash.text === 'string' ? flash : undefined;
    } catch {
      return undefined;
    }
  };
  const context = (req: FastifyRequest, reply: FastifyReply): PageContext => ({
    session: sessionOf(req),
    here: req.url,
    flash: takeFlash(req, reply),
  });
  const send = sendPage;
  const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();
  const toLogin = (reply: FastifyReply, next: string) =>
    redirect(reply, `/library/login?next=${encodeURIComponent(next)}`);

  /** Pages render errors as pages; a cross-site form post is refused (the cookies are also SameSite=Lax). */
  const page =
    (handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.method === 'POST' && !sameOrigin(req)) {
        return send(reply, 403, errorPage(context(req, reply), 'Forbidden', 'This form was sent from another site.'));
      }
      try {
        return await handler(req, reply);
      } catch (err) {
        const status = err instanceof PageError ? err.status : 503;
        if (!(err instanceof PageError)) req.log.error({ err }, 'library page failed');
        const text = err instanceof PageError ? err.message : 'The library is not available right now. Try again soon.';
        return send(reply, status, errorPage({ session: sessionOf(req), here: req.url }, 'Sorry', text));
      }
    };

  const catalogBooks = async (query: Record<string, string | undefined> = {}) => {
    const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
    return (await mustGet<{ books: Book[] }>(`/library/api/books${qs.size ? `?${qs.toString()}` : ''}`)).books;
  };
  const lendingBook = (id: string) => mustGet<LendingBook>(`/lending/books/${encodeURIComponent(id)}`);
  const wait = (path: 'requests' | 'returns', user: string, book: string, formKey: string | undefined) =>
    call<WaitAnswer['body']>(
      'POST',
      `/lending/${path}?wait=true`,
      { user, books: [book] },
      formKey && `library-${path}-${formKey}`,
    );

  /** The logged-in patron, checked against the registry: a card removed since login no longer borrows. */
  const patronOf = async (req: FastifyRequest, reply: FastifyReply, next: string) => {
    const session = sessionOf(req);
    if (!session) {
      void toLogin(reply, next);
      return undefined;
    }
    const res = await call('GET', `/library/api/patrons/${encodeURIComponent(session.libraryId)}`);
    if (res.status === 404) {
      void reply.clearCookie(SESSION_COOKIE, { path: '/library' });
      setFlash(reply, { kind: 'error', text: 'Your library card is not registered; please log in again.' });
      void toLogin(reply, next);
      return undefined;
    }
    if (res.status !== 200) throw new PageError(503, 'The patron registry is not available right now.');
    return session;
  };

  const librarian = (req: FastifyRequest, reply: FastifyReply): PageSession | undefined => {
    const session = sessionOf(req);
    if (!session) {
      void toLogin(reply, '/library/admin');
      return undefined;
    }
    if (session.role !== 'librarian') {
      void send(reply, 403, errorPage(context(req, reply), 'Forbidden', 'Only librarians may use the admin page.'));
      return undefined;
    }
    return session;
  };
  const loansByUser = async () => {
    const byUser = new Map<string, string[]>();
    for (const book of await catalogBooks()) {
      for (const h of (await lendingBook(book.id)).holders)
        byUser.set(h.user, [...(byUser.get(h.user) ?? []), book.id]);
    }
    return byUser;
  };

  return {
    call,
    mustGet,
    sessionOf,
    cookieOptions,
    setFlash,
    takeFlash,
    context,
    send,
    redirect,
    toLogin,
    page,
    catalogBooks,
    lendingBook,
    wait,
    patronOf,
    librarian,
    loansByUser,
  };
}

export type PageKit = ReturnType<typeof pageKit>;

/** Sends a rendered page with the security headers of every gateway page (no script, no inline style, no framing). */
export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply
    .code(status)
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page);
}

/** A form post from this site: no Origin header (older clients) or one naming this host. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
