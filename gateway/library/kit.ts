import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PlatformDeps } from '../../platform/index.js';
import { IDEMPOTENCY_KEY_HEADER } from '../../platform/index.js';
import type { RestApp } from '../../restlib/index.js';
import { CredentialsSchema, type Book, type Patron } from '../../aggregates/library/contract.js';
import type { GatewayContext } from '../module.js';
import type { WaitAnswer } from './messages.js';
import { errorPage, type Flash, type PageContext, type PageSession } from './pages.js';
import { endLogin, putFlash, sessionPatron, takeFlash } from './session.js';

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
 * What every library page uses: calls to this gateway's own routes (the same rules and read-your-writes, with the
 * gateway's own credential), the sealed session (login, flash message, CSRF secret), page rendering with its
 * security headers, and the checks of who may do what.
 */
export function pageKit(root: RestApp, deps: PlatformDeps, gateway: GatewayContext) {
  /** Calls a route of this gateway (lending and library JSON routes): the same path, rules and read-your-writes. */
  const call = async <T>(method: 'GET' | 'POST', url: string, payload?: unknown, key?: string) => {
    const res = await root.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: { ...gateway.internalHeaders, ...(key === undefined ? {} : { [IDEMPOTENCY_KEY_HEADER]: key }) },
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
  const sessionOf = (req: FastifyRequest): PageSession | undefined => sessionPatron(req.session, deps.clock());
  const setFlash = (reply: FastifyReply, flash: Flash) => putFlash(reply.request.session, flash);
  /**
   * What a page shows besides its content: who is logged in, the flash message (taken: shown once), and the CSRF
   * token of its forms. A page has forms that post when someone is logged in (log out, borrow, return, reset) or
   * when it says so (`forms`: the login page); anonymous pages make no session.
   */
  const context = (req: FastifyRequest, reply: FastifyReply, opts: { forms?: boolean } = {}): PageContext => {
    const session = sessionOf(req);
    return {
      session,
      here: req.url,
      flash: takeFlash(req.session),
      csrf: session || opts.forms ? reply.generateCsrf() : undefined,
    };
  };
  const send = sendPage;
  const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();
  const toLogin = (reply: FastifyReply, next: string) =>
    redirect(reply, `/library/login?next=${encodeURIComponent(next)}`);

  /** Pages render errors as pages (a failed upstream, a PageError with its status). */
  const page =
    (handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(req, reply);
      } catch (err) {
        return sendPageError(req, reply, err);
      }
    };
  /** An error as a page of the app: its status when it has one (a PageError, a CSRF refusal), else 503. */
  const sendPageError = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
    const code = (err as { code?: unknown }).code;
    const status =
      err instanceof PageError
        ? err.status
        : typeof code === 'string' && code.startsWith('FST_CSRF_')
          ? 403
          : (err as { statusCode?: unknown }).statusCode;
    const known = typeof status === 'number' && status >= 400 && status < 500;
    if (!known && !(err instanceof PageError)) req.log.error({ err }, 'library page failed');
    const text =
      err instanceof PageError
        ? err.message
        : status === 403
          ? 'This form has expired or did not come from this page. Go back, reload the page and send it again.'
          : known
            ? 'The library could not read this form.'
            : 'The library is not available right now. Try again soon.';
    const session = sessionOf(req);
    const ctx = { session, here: req.url, csrf: session ? reply.generateCsrf() : undefined };
    return send(reply, known || err instanceof PageError ? (status as number) : 503, errorPage(ctx, 'Sorry', text));
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

  /**
   * The logged-in patron, checked against the registry: a card removed since login no longer borrows (the
   * session is ended), and the role is the registry's now, not the one at login.
   */
  const patronOf = async (req: FastifyRequest, reply: FastifyReply, next: string) => {
    const session = sessionOf(req);
    if (!session) {
      void toLogin(reply, next);
      return undefined;
    }
    const res = await call<Patron>('GET', `/library/api/patrons/${encodeURIComponent(session.libraryId)}`);
    if (res.status === 404) {
      endLogin(req.session);
      setFlash(reply, { kind: 'error', text: 'Your library card is not registered; please log in again.' });
      void toLogin(reply, next);
      return undefined;
    }
    if (res.status !== 200 || !res.body) throw new PageError(503, 'The patron registry is not available right now.');
    return { ...session, role: res.body.role };
  };

  /** A librarian (the registry's role: the demo librarian is Melvil Dewey, LIB-0001); a patron gets 403. */
  const librarian = async (req: FastifyRequest, reply: FastifyReply): Promise<PageSession | undefined> => {
    const session = await patronOf(req, reply, '/library/admin');
    if (!session) return undefined;
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
    setFlash,
    context,
    sendPageError,
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
