import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { browser, csrfOf } from './browser.js';
import { startLibraryApp, type LibraryApp } from './libraryApp.js';

const ALAN = { firstName: 'Alan', lastName: 'Turing', libraryId: 'L-1002' };
const ADA = { firstName: 'Ada', lastName: 'Lovelace', libraryId: 'L-1001' };
const MELVIL = { firstName: 'Melvil', lastName: 'Dewey', libraryId: 'LIB-0001' };

/** Every form of the app that posts: its action, its fields, and the page it is on (where its token comes from). */
const FORMS = [
  { action: '/library/login', fields: ALAN, from: '/library/login' },
  { action: '/library/logout', fields: {}, from: '/library/catalog' },
  { action: '/library/borrow', fields: { book: 'emma', next: '/library/catalog' }, from: '/library/catalog' },
  { action: '/library/return', fields: { book: 'emma' }, from: '/library/my-books' },
  { action: '/library/admin/reset', fields: {}, from: '/library/admin' },
] as const;

describe('library forms: a CSRF token on every form, and from this site only', () => {
  let lib: LibraryApp;

  beforeAll(async () => {
    lib = await startLibraryApp();
    await waitFor(
      async () => (await lib.app.inject({ url: '/library/api/books' })).json<{ books?: unknown[] }>().books?.length,
      { what: 'the demo catalog', timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await lib.close();
  });

  const librarian = async () => {
    const b = browser(lib.app);
    expect((await b.login(MELVIL)).statusCode).toBe(303);
    return b;
  };

  it('every page form that posts carries a _csrf field', async () => {
    const b = await librarian();
    await b.post('/library/borrow', { book: 'dracula' }, { from: '/library/catalog' });
    for (const page of ['/library/catalog', '/library/my-books', '/library/admin']) {
      const body = (await b.get(page)).body;
      const forms = body.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
      expect(forms.length, page).toBeGreaterThan(0);
      for (const form of forms) expect(form, page).toMatch(/name="_csrf" value="[^"]+"/);
    }
    expect(csrfOf((await browser(lib.app).get('/library/login')).body)).toBeTruthy();
  });

  it('a form post without its token, or with a wrong one, is refused with 403 (an HTML page); with it, it goes through', async () => {
    for (const form of FORMS) {
      for (const csrf of [false, 'not-a-token'] as const) {
        const b = await librarian();
        const res = await b.post(form.action, form.fields, { csrf, from: form.from });
        expect(res.statusCode, `${form.action} csrf=${String(csrf)}`).toBe(403);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.body).toContain('This form has expired or did not come from this page');
      }
      const b = await librarian();
      const ok = await b.post(form.action, form.fields, { from: form.from });
      expect(ok.statusCode, form.action).toBe(303);
    }
  });

  it('a form post with no Origin and no Referer is refused; a Referer of this site will do; another site is refused', async () => {
    for (const form of FORMS) {
      const b = await librarian();
      const none = await b.post(form.action, form.fields, { from: form.from, origin: null });
      expect(none.statusCode, form.action).toBe(403);
      expect(none.body).toContain('This form was not sent from this site.');
    }
    const cases: { origin?: string; headers: Record<string, string>; status: number }[] = [
      { headers: { referer: 'http://localhost/library/catalog' }, status: 303 },
      { headers: { referer: 'https://evil.example/library/catalog' }, status: 403 },
      { origin: 'https://localhost.evil.example', headers: {}, status: 403 },
      { origin: 'null', headers: {}, status: 403 },
      { origin: 'http://localhost', headers: { 'sec-fetch-site': 'cross-site' }, status: 403 },
    ];
    for (const c of cases) {
      const b = browser(lib.app);
      const res = await b.post('/library/login', ADA, { origin: c.origin ?? null, headers: c.headers });
      expect(res.statusCode, JSON.stringify(c)).toBe(c.status);
    }
  });

  it('admin pages need the librarian role: a patron gets 403, nobody is sent to log in', async () => {
    const patron = browser(lib.app);
    await patron.login(ALAN);
    const page = await patron.get('/library/admin');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Only librarians may use the admin page.');
    const reset = await patron.post('/library/admin/reset', {}, { from: '/library/catalog' });
    expect(reset.statusCode).toBe(403);
    expect((await patron.get('/library/catalog')).body).not.toContain('href="/library/admin"');
    const nobody = await browser(lib.app).get('/library/admin');
    expect(nobody.statusCode).toBe(303);
    expect(nobody.headers.location).toBe('/library/login?next=%2Flibrary%2Fadmin');
    const melvil = await librarian();
    const admin = await melvil.get('/library/admin');
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('id="lent-count"');
    expect((await melvil.get('/library/catalog')).body).toContain('href="/library/admin"');
  });
});
