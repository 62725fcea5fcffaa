import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformDeps } from '../platform/index.js';
import type { RestApp } from '../restlib/index.js';
import { BookSchema, PatronSchema, type Book } from '../aggregates/library/catalog.js';
import { DEFAULT_LENDING_CONFIG } from '../aggregates/lending/domain/index.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeader } from '../platform/index.js';
import { CatalogQuerySchema, CredentialsSchema } from '../views/library/libraryViewService.js';
import { findPatron } from '../views/library/model.js';
import { borrowMessage, returnMessage, type WaitAnswer } from '../views/library/messages.js';
import {
  aboutPage,
  adminPage,
  catalogPage,
  errorPage,
  LIBRARY_CSS,
  loginPage,
  myBooksPage,
  type Flash,
  type PageContext,
  type PageSession,
  type ShelfBook,
} from '../views/library/pages.js';
import {
  decodeSession,
  encodeSession,
  FLASH_COOKIE,
  safeNext,
  SESSION_COOKIE,
  SESSION_MAX_AGE_S,
  sessionSecret,
} from '../views/library/session.js';
import type { Upstreams } from './upstream.js';

/** Consul names of the library services the gateway forwards to. */
export const LIBRARY_UPSTREAMS = { library: 'library', view: 'libraryview' } as const;

const Json = z.record(z.string(), z.unknown());
const FormText = z.string().max(500).optional();
/** The per-form key the pages put in every form (`formKey`): the idempotency key of what the form does. */
const FormKey = z.uuid().optional();
const BookForm = z.object({ book: z.string().min(1).max(100), next: FormText, formKey: FormKey });
const ResetForm = z.object({ formKey: FormKey });
const LoginForm = CredentialsSchema.extend({ next: FormText });

interface LendingBook {
  copies: number;
  available: number;
  holders: { user: string; due: string }[];
}

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

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
    jsonRoutes(scope, up);
    pageRoutes(scope, app, deps);
  });
}

function jsonRoutes(scope: RestApp, up: Upstreams): void {
  const view = LIBRARY_UPSTREAMS.view;
  scope.get(
    '/library/api/books',
    {
      schema: {
        summary: 'The catalog (q, title, author: case-insensitive substrings)',
        tags: ['library'],
        querystring: CatalogQuerySchema,
        response: { 200: Json },
      },
    },
    (req, reply) => {
      const qs = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => !!e[1]));
      return up.read(reply, view, `/books${qs.size ? `?${qs.toString()}` : ''}`);
    },
  );
  scope.get(
    '/library/api/books/:id',
    {
      schema: {
        summary: 'One book of the catalog',
        tags: ['library'],
        params: z.object({ id: z.string().max(100) }),
        response: { 200: Json },
      },
    },
    (req, reply) => up.read(reply, view, `/books/${encodeURIComponent(req.params.id)}`),
  );
  scope.get(
    '/library/api/patrons',
    { schema: { summary: 'The registered patrons', tags: ['library'], response: { 200: Json } } },
    (_req, reply) => up.read(reply, view, '/patrons'),
  );
  scope.get(
    '/library/api/patrons/:libraryId',
    {
      schema: {
        summary: 'One patron',
        tags: ['library'],
        params: z.object({ libraryId: z.string().max(40) }),
        response: { 200: Json },
      },
    },
    (req, reply) => up.read(reply, view, `/patrons/${encodeURIComponent(req.params.libraryId)}`),
  );
  scope.post(
    '/library/api/books',
    {
      schema: {
        summary: 'Catalog books (upsert by id)',
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        body: z.array(BookSchema).min(1).max(1000),
        response: { 201: Json },
      },
    },
    (req, reply) => up.write(reply, LIBRARY_UPSTREAMS.library, '/books', req.body, req),
  );
  scope.post(
    '/library/api/patrons',
    {
      schema: {
        summary: 'Register patrons (upsert by library ID)',
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        body: z.array(PatronSchema).min(1).max(1000),
        response: { 201: Json },
      },
    },
    (req, reply) => up.write(reply, LIBRARY_UPSTREAMS.library, '/patrons', req.body, req),
  );
  scope.post(
    '/library/api/load-demo',
    {
      schema: {
        summary: 'Load the demo catalog and patrons',
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        response: { 201: Json },
      },
    },
    (req, reply) => up.write(reply, LIBRARY_UPSTREAMS.library, '/load-demo', {}, req),
  );
}

function pageRoutes(scope: RestApp, root: RestApp, deps: PlatformDeps): void {
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
  const send = (reply: FastifyReply, status: number, page: string) =>
    reply
      .code(status)
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      )
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(page);
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

  scope.get('/library', { schema: { hide: true } }, (_req, reply) => redirect(reply, '/library/catalog'));
  scope.get('/library/', { schema: { hide: true } }, (_req, reply) => redirect(reply, '/library/catalog'));
  scope.get('/library/style.css', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=300').send(LIBRARY_CSS.toString()),
  );

  scope.get(
    '/library/catalog',
    { schema: { hide: true } },
    page(async (req, reply) => {
      const q = CatalogQuerySchema.catch({}).parse(req.query);
      const ctx = context(req, reply);
      const books = await catalogBooks(q);
      const shelf: ShelfBook[] = await Promise.all(
        books.map(async (book) => {
          const lent = await lendingBook(book.id);
          const heldByMe = !!ctx.session && lent.holders.some((h) => h.user === ctx.session?.libraryId);
          return { book, copies: lent.copies, available: lent.available, heldByMe };
        }),
      );
      return send(reply, 200, catalogPage(ctx, q, shelf));
    }),
  );

  scope.get(
    '/library/my-books',
    { schema: { hide: true } },
    page(async (req, reply) => {
      const ctx = context(req, reply);
      if (!ctx.session) return toLogin(reply, '/library/my-books');
      const held = await mustGet<{ books: { book: string; due: string }[] }>(
        `/lending/users/${encodeURIComponent(ctx.session.libraryId)}`,
      );
      const titles = new Map((await catalogBooks()).map((b) => [b.id, b]));
      const loans = held.books.map((h) => ({
        book: h.book,
        due: h.due,
        title: titles.get(h.book)?.title ?? h.book,
        author: titles.get(h.book)?.author ?? '',
      }));
      return send(reply, 200, myBooksPage(ctx, loans, undefined));
    }),
  );

  scope.get(
    '/library/about',
    { schema: { hide: true } },
    page(async (req, reply) =>
      send(reply, 200, aboutPage(context(req, reply), { loanDays: DEFAULT_LENDING_CONFIG.loanDays, limit: undefined })),
    ),
  );

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
      void reply.setCookie(SESSION_COOKIE, encodeSession(session, deps.clock()), {
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

  for (const [path, kind] of [
    ['/library/borrow', 'requests'],
    ['/library/return', 'returns'],
  ] as const) {
    scope.post(
      path,
      { schema: { hide: true } },
      page(async (req, reply) => {
        const form = BookForm.safeParse(req.body ?? {});
        const next = kind === 'requests' ? safeNext(form.data?.next) : '/library/my-books';
        const session = await patronOf(req, reply, next);
        if (!session) return reply;
        if (!form.success) throw new PageError(400, 'The form did not name a book.');
        const found = await call<Book>('GET', `/library/api/books/${encodeURIComponent(form.data.book)}`);
        if (found.status === 404 || !found.body) {
          setFlash(reply, { kind: 'error', text: 'This book is not in the catalog.' });
          return redirect(reply, next);
        }
        if (found.status !== 200) throw new PageError(503, 'The catalog is not available right now.');
        const answer = await wait(kind, session.libraryId, form.data.book, form.data.formKey);
        const message = (kind === 'requests' ? borrowMessage : returnMessage)(answer, form.data.book, found.body.title);
        setFlash(reply, message);
        return redirect(reply, next);
      }),
    );
  }

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

  scope.get(
    '/library/admin',
    { schema: { hide: true } },
    page(async (req, reply) => {
      if (!librarian(req, reply)) return reply;
      const lent = [...(await loansByUser()).values()].reduce((n, books) => n + books.length, 0);
      return send(reply, 200, adminPage(context(req, reply), lent));
    }),
  );

  scope.post(
    '/library/admin/reset',
    { schema: { hide: true } },
    page(async (req, reply) => {
      if (!librarian(req, reply)) return reply;
      const formKey = ResetForm.catch({}).parse(req.body ?? {}).formKey;
      let returned = 0;
      let failed = 0;
      for (const [user, books] of await loansByUser()) {
        const res = await call<WaitAnswer['body']>(
          'POST',
          '/lending/returns?wait=true',
          { user, books },
          formKey && `library-reset-${formKey}-${user}`,
        );
        const outcome = res.body?.outcome;
        if (res.status === 200 && outcome?.type === 'books-returned') returned += outcome.data.books.length;
        else failed += books.length;
      }
      setFlash(
        reply,
        failed
          ? { kind: 'error', text: `Returned ${returned} loans; ${failed} could not be returned yet. Try again.` }
          : { kind: 'success', text: `Every loan was returned (${returned}).` },
      );
      return redirect(reply, '/library/admin');
    }),
  );
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
