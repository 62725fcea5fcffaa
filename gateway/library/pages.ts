import { randomUUID } from 'node:crypto';
import { type Book, type Patron } from '../../aggregates/library/contract.js';
import { html, raw, type SafeHtml } from './html.js';

/** Who is logged in, as the pages need it. */
export interface PageSession {
  libraryId: string;
  firstName: string;
  lastName: string;
  role: Patron['role'];
}

export interface Flash {
  kind: 'success' | 'error' | 'info';
  text: string;
}

export interface PageContext {
  session: PageSession | undefined;
  /** The current page (path and query), where login sends the patron back to. */
  here: string;
  flash?: Flash | undefined;
  /** The CSRF token every form that posts carries (`_csrf`); set when the page has such a form. */
  csrf?: string | undefined;
}

/** A catalog book with what the lending flow says about it. */
export interface ShelfBook {
  book: Book;
  /** Copies the lending flow lends (its configured copies) and how many of them are free now. */
  copies: number;
  available: number;
  heldByMe: boolean;
}

export interface Loan {
  book: string;
  title: string;
  author: string;
  due: string;
}

/** The CSRF token field of a form that posts (@fastify/csrf-protection checks it against the session's secret). */
const csrfField = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}" />`;

const nav = (ctx: PageContext) =>
  html`<nav aria-label="Main">
    <ul>
      <li><a href="/library/catalog">Catalog</a></li>
      <li><a href="/library/my-books">My books</a></li>
      <li><a href="/library/about">About</a></li>
      ${ctx.session?.role === 'librarian' ? html`<li><a href="/library/admin">Admin</a></li>` : ''}
    </ul>
    ${
      ctx.session
        ? html`<form method="post" action="/library/logout" class="who">
            ${csrfField(ctx)}
            <span
              >Signed in as
              <strong>${ctx.session.firstName} ${ctx.session.lastName}</strong> (${ctx.session.libraryId})</span
            >
            <button type="submit">Log out</button>
          </form>`
        : html`<a class="who" href="/library/login?next=${encodeURIComponent(ctx.here)}">Log in</a>`
    }
  </nav>`;

const flashBox = (flash: Flash | undefined) =>
  flash
    ? html`<div class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}" id="flash">
        ${flash.text}
      </div>`
    : '';

/** The whole document around a page's content. */
export function layout(title: string, ctx: PageContext, content: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Bookshelf Library</title>
        <link rel="stylesheet" href="/library/style.css" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <p class="brand">Bookshelf Library</p>
          ${nav(ctx)}
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${flashBox(ctx.flash)} ${content}
        </main>
      </body>
    </html> `.toString();
}

const availability = (s: ShelfBook) =>
  s.available > 0
    ? html`<span class="avail yes">${s.available} of ${s.copies} available</span>`
    : html`<span class="avail no">All ${s.copies} ${s.copies === 1 ? 'copy' : 'copies'} lent</span>`;

/**
 * A fresh key per rendered form: sending the same form twice (a double click, a reload after a timeout) carries
 * the same key, so the lending flow gets one command.
 */
const formKey = () => html`<input type="hidden" name="formKey" value="${randomUUID()}" />`;

function action(s: ShelfBook, ctx: PageContext): SafeHtml | string {
  if (s.heldByMe) return html`<span class="note">You have this book</span>`;
  if (s.available === 0) return '';
  if (!ctx.session) {
    return html`<a href="/library/login?next=${encodeURIComponent(ctx.here)}">Log in to borrow</a>`;
  }
  return html`<form method="post" action="/library/borrow">
    ${csrfField(ctx)}
    <input type="hidden" name="book" value="${s.book.id}" />
    <input type="hidden" name="next" value="${ctx.here}" />
    ${formKey()}
    <button type="submit" aria-label="Borrow ${s.book.title}">Borrow</button>
  </form>`;
}

export function catalogPage(
  ctx: PageContext,
  query: { title?: string | undefined; author?: string | undefined },
  shelf: readonly ShelfBook[],
): string {
  const rows = shelf.map(
    (s) =>
      html`<tr data-book="${s.book.id}">
        <td><img src="${s.book.coverUrl}" alt="" width="48" height="72" loading="lazy" /></td>
        <th scope="row">${s.book.title}</th>
        <td>${s.book.author}</td>
        <td>${availability(s)}</td>
        <td>${action(s, ctx)}</td>
      </tr>`,
  );
  return layout(
    'Catalog',
    ctx,
    html`<form method="get" action="/library/catalog" class="search" role="search">
        <label for="title">Title</label>
        <input id="title" name="title" type="search" value="${query.title ?? ''}" maxlength="200" />
        <label for="author">Author</label>
        <input id="author" name="author" type="search" value="${query.author ?? ''}" maxlength="200" />
        <button type="submit">Search</button>
        <a href="/library/catalog">Clear</a>
      </form>
      <p id="result-count">${shelf.length} ${shelf.length === 1 ? 'book' : 'books'}</p>
      ${
        shelf.length
          ? html`<table>
              <caption class="visually-hidden">
                Books in the catalog and their availability
              </caption>
              <thead>
                <tr>
                  <th scope="col"><span class="visually-hidden">Cover</span></th>
                  <th scope="col">Title</th>
                  <th scope="col">Author</th>
                  <th scope="col">Availability</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`
          : html`<p>No book matches this search.</p>`
      }`,
  );
}

export function myBooksPage(ctx: PageContext, loans: readonly Loan[], limit: number | undefined): string {
  const rows = loans.map(
    (l) =>
      html`<tr data-book="${l.book}">
        <th scope="row">${l.title}</th>
        <td>${l.author}</td>
        <td><time datetime="${l.due}">${l.due}</time></td>
        <td>
          <form method="post" action="/library/return">
            ${csrfField(ctx)}
            <input type="hidden" name="book" value="${l.book}" />
            ${formKey()}
            <button type="submit" aria-label="Return ${l.title}">Return</button>
          </form>
        </td>
      </tr>`,
  );
  return layout(
    'My books',
    ctx,
    html`<p id="held-count">
        You hold ${loans.length}
        ${loans.length === 1 ? 'book' : 'books'}${limit === undefined ? '' : html` (at most ${limit})`}.
      </p>
      ${
        loans.length
          ? html`<table>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Author</th>
                  <th scope="col">Due</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`
          : html`<p>Borrow books from the <a href="/library/catalog">catalog</a>.</p>`
      }`,
  );
}

export function loginPage(
  ctx: PageContext,
  next: string,
  values: { firstName?: string; lastName?: string; libraryId?: string } = {},
): string {
  return layout(
    'Log in',
    ctx,
    html`<form method="post" action="/library/login" class="login">
      ${csrfField(ctx)}
      <input type="hidden" name="next" value="${next}" />
      <p>
        <label for="firstName">First name</label>
        <input
          id="firstName"
          name="firstName"
          autocomplete="given-name"
          required
          maxlength="100"
          value="${values.firstName ?? ''}"
        />
      </p>
      <p>
        <label for="lastName">Last name</label>
        <input
          id="lastName"
          name="lastName"
          autocomplete="family-name"
          required
          maxlength="100"
          value="${values.lastName ?? ''}"
        />
      </p>
      <p>
        <label for="libraryId">Library ID</label>
        <input
          id="libraryId"
          name="libraryId"
          required
          maxlength="40"
          aria-describedby="id-help"
          value="${values.libraryId ?? ''}"
        />
        <small id="id-help">As printed on your library card, for example L-1001.</small>
      </p>
      <p><button type="submit">Log in</button></p>
    </form>`,
  );
}

export function aboutPage(ctx: PageContext, rules: { loanDays: number; limit: number | undefined }): string {
  return layout(
    'About',
    ctx,
    html`<p>
        Bookshelf Library is a demo of the Bookshelf platform: a catalog and patrons on the <code>library</code> topic,
        and every loan decided by the lending flow (one decision for Kafka, Redis and the in-memory bus).
      </p>
      <ul>
        <li>A loan lasts ${rules.loanDays} days: the due date is today plus ${rules.loanDays} days.</li>
        <li>
          ${rules.limit === undefined ? 'There is a limit to the books one patron may hold.' : `A patron may hold at most ${rules.limit} books.`}
        </li>
        <li>One copy of a title per patron; a title can be borrowed while one of its copies is free.</li>
      </ul>
      <p>
        Log in with the first name, last name and library ID of a demo patron, for example <kbd>Ada</kbd>
        <kbd>Lovelace</kbd> <kbd>L-1001</kbd>.
      </p>`,
  );
}

export function adminPage(ctx: PageContext, lent: number): string {
  return layout(
    'Admin',
    ctx,
    html`<p id="lent-count">${lent} ${lent === 1 ? 'copy is' : 'copies are'} lent right now.</p>
      <form method="post" action="/library/admin/reset">
        ${csrfField(ctx)} ${formKey()}
        <p><button type="submit" class="danger">Return every loan</button></p>
      </form>`,
  );
}

export function errorPage(ctx: PageContext, title: string, text: string): string {
  return layout(
    title,
    ctx,
    html`<p>${text}</p>
      <p><a href="/library/catalog">Back to the catalog</a></p>`,
  );
}

/** Light, high-contrast styles (WCAG AA), visible focus. Served at /library/style.css. */
export const LIBRARY_CSS = raw(`
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --accent: #0b5394; --ok: #1e6b2e; --bad: #a51d1d; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: #fbfaf7; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .75rem 1.5rem;
  background: #fff; border-bottom: 1px solid #d6d3cc; }
.brand { font-weight: 700; margin: 0; color: var(--accent); }
nav { display: flex; flex: 1; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
a { color: var(--accent); }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #e2dfd8; vertical-align: middle; }
thead th { color: var(--muted); font-size: .875rem; }
img { display: block; background: #e8e4da; border-radius: 2px; }
button { font: inherit; padding: .35rem .9rem; border: 1px solid var(--accent); border-radius: 4px;
  background: var(--accent); color: #fff; cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
.who button { background: #fff; color: var(--accent); margin-left: .5rem; }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
input { font: inherit; padding: .3rem .5rem; border: 1px solid #767676; border-radius: 4px; }
.search { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-bottom: 1rem; }
.login label { display: block; font-weight: 600; }
.login small { display: block; color: var(--muted); }
.flash { padding: .75rem 1rem; border-radius: 4px; margin: 0 0 1rem; border: 1px solid; background: #fff; }
.flash.success { color: var(--ok); border-color: var(--ok); }
.flash.error { color: var(--bad); border-color: var(--bad); }
.flash.info { color: var(--accent); border-color: var(--accent); }
.avail.yes { color: var(--ok); } .avail.no { color: var(--bad); } .note { color: var(--muted); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
`);
