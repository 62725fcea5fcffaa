import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestApp } from '../../../restlib/index.js';
import { waitFor } from '../../helpers/wait.js';
import { browser, setCookies } from './browser.js';
import { startLibraryApp, type LibraryApp } from './libraryApp.js';

const SESSION = 'bookshelf_library_session';

describe('library gateway routes (app.inject, in-memory platform)', () => {
  let lib: LibraryApp;
  let app: RestApp;

  beforeAll(async () => {
    lib = await startLibraryApp();
    app = lib.app;
    await waitFor(
      async () => (await app.inject({ url: '/library/api/books' })).json<{ books?: unknown[] }>().books?.length,
      { what: 'the demo catalog', timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await lib.close();
  });

  const login = async (fields: Record<string, string>) => {
    const b = browser(app);
    return { b, res: await b.post('/library/login', fields) };
  };

  it('wrong login -> 401 page with an error message and no session cookie', async () => {
    for (const fields of [
      { firstName: 'Ada', lastName: 'Lovelace', libraryId: 'l-1001' },
      { firstName: 'Ada', lastName: 'Byron', libraryId: 'L-1001' },
      { firstName: 'Ada', lastName: 'Lovelace', libraryId: 'X-9' },
      { firstName: '', lastName: '', libraryId: '' },
    ]) {
      const { b, res } = await login({ ...fields, next: '/library/my-books' });
      expect(res.statusCode).toBe(401);
      expect(res.body).toMatch(/role="alert"[\s\S]*(Login failed|Please fill in)/);
      expect((await b.get('/library/my-books')).statusCode).toBe(303);
    }
  });

  it('right login (names in any case) -> 303 back to the page the patron came from, with a sealed session', async () => {
    const { b, res } = await login({
      firstName: 'aDa',
      lastName: 'LOVELACE',
      libraryId: 'L-1001',
      next: '/library/catalog?author=austen',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/library/catalog?author=austen');
    expect(setCookies(res).get(SESSION)).toBeTruthy();
    const page = await b.get('/library/my-books');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/Signed in as\s*<strong>Ada Lovelace<\/strong>/);
  });

  it('login never redirects off /library/ (open redirect)', async () => {
    const { res } = await login({
      firstName: 'Ada',
      lastName: 'Lovelace',
      libraryId: 'L-1001',
      next: '//evil.example/x',
    });
    expect(res.headers.location).toBe('/library/catalog');
  });

  it('JSON search by author and by title (case-insensitive substring)', async () => {
    const byAuthor = (await app.inject({ url: '/library/api/books?author=CARROLL' })).json<{
      books: { id: string }[];
    }>();
    expect(byAuthor.books.map((b) => b.id)).toEqual(['alice-in-wonderland', 'through-the-looking-glass']);
    const byTitle = (await app.inject({ url: '/library/api/books?title=moby' })).json<{ books: { id: string }[] }>();
    expect(byTitle.books.map((b) => b.id)).toEqual(['moby-dick']);
    const patrons = (await app.inject({ url: '/library/api/patrons' })).json<{ patrons: unknown[] }>();
    expect(patrons.patrons.length).toBeGreaterThanOrEqual(6);
  });

  it('the catalog page filters by title and shows markup from the catalog as text', async () => {
    const added = await app.inject({
      method: 'POST',
      url: '/library/api/books',
      payload: [
        {
          id: 'xss',
          title: '<script>alert(1)</script>',
          author: 'Mallory "<b>"',
          copies: 1,
          coverUrl: 'https://example.org/c.jpg',
        },
      ],
    });
    expect(added.statusCode).toBe(201);
    const page = await app.inject({ url: '/library/catalog?title=%3Cscript' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toContain('Mallory &quot;&lt;b&gt;&quot;');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('1 book<');
  });

  it('borrow -> My books shows the due date; a second copy of the same book is refused with the reason', async () => {
    const { b } = await login({ firstName: 'Alan', lastName: 'Turing', libraryId: 'L-1002' });
    const borrow = () =>
      b.post('/library/borrow', { book: 'dracula', next: '/library/catalog' }, { from: '/library/catalog' });
    const first = await borrow();
    expect(first.statusCode).toBe(303);
    const mine = await b.get('/library/my-books');
    expect(mine.body).toContain('You borrowed “Dracula”. It is due on 2026-03-15.');
    expect(mine.body).toMatch(/Dracula[\s\S]*<time datetime="2026-03-15">/);
    await borrow();
    const refused = await b.get('/library/catalog');
    expect(refused.body).toMatch(/role="alert"[\s\S]*Borrowing refused: you already have a copy of “Dracula”/);
  });

  it('pages that need a patron send to login; a cross-site form post is refused', async () => {
    const res = await app.inject({ url: '/library/my-books' });
    expect(res.statusCode).toBe(303);
    const { b } = await login({ firstName: 'Alan', lastName: 'Turing', libraryId: 'L-1002' });
    const cross = await b.post(
      '/library/borrow',
      { book: 'emma' },
      { from: '/library/catalog', origin: 'https://evil.example' },
    );
    expect(cross.statusCode).toBe(403);
    expect(cross.body).toContain('This form was not sent from this site.');
  });
});
