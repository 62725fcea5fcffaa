import type { RestApp } from '../../restlib/index.js';
import type { PageKit } from './kit.js';
import { DEFAULT_LENDING_CONFIG } from '../../aggregates/lending/contract.js';
import { CatalogQuerySchema, type Book } from '../../aggregates/library/contract.js';
import { borrowMessage, returnMessage } from './messages.js';
import { aboutPage, catalogPage, LIBRARY_CSS, myBooksPage, type ShelfBook } from './pages.js';
import { safeNext } from './session.js';
import { BookForm, PageError } from './kit.js';

/** What a reader sees and does: the catalog, their books, the about page, borrowing and returning. */
export function readerPages(scope: RestApp, kit: PageKit): void {
  const { redirect, send, page, context, catalogBooks, lendingBook, mustGet, toLogin, patronOf, call, setFlash, wait } =
    kit;
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

  for (const [path, kind] of [
    ['/library/borrow', 'requests'],
    ['/library/return', 'returns'],
  ] as const) {
    scope.post(
      path,
      { config: { access: 'session' }, schema: { hide: true } },
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
}
