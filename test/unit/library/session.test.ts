import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySecurity } from '../../../gateway/service.js';
import { sessionKeyFromText } from '../../../gateway/security.js';
import { waitFor } from '../../helpers/wait.js';
import { browser, csrfOf, setCookies } from './browser.js';
import { startLibraryApp, type LibraryApp } from './libraryApp.js';

const SESSION = 'bookshelf_library_session';
const GRACE = { firstName: 'Grace', lastName: 'Hopper', libraryId: 'L-1003' };

describe('library sessions: sealed cookies (@fastify/secure-session), rotated on login and logout', () => {
  let lib: LibraryApp;

  beforeAll(async () => {
    lib = await startLibraryApp();
    await waitFor(
      async () =>
        (await lib.app.inject({ url: '/library/api/patrons' })).json<{ patrons?: unknown[] }>().patrons?.length,
      { what: 'the demo patrons', timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await lib.close();
  });

  it('the session cookie cannot be read: no name, library ID or role in it, in any encoding', async () => {
    const b = browser(lib.app);
    const res = await b.login({ ...GRACE, next: '/library/my-books' });
    expect(res.statusCode).toBe(303);
    const cookie = setCookies(res).get(SESSION)!;
    const decoded = decodeURIComponent(cookie);
    const readings = [decoded, ...decoded.split(';').map((p) => Buffer.from(p, 'base64').toString('latin1'))];
    for (const text of readings) {
      for (const secret of ['Grace', 'Hopper', 'L-1003', 'patron', 'Welcome']) expect(text).not.toContain(secret);
    }
    const header = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION}=`))!;
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).toMatch(/Path=\/library/);
    expect((await b.get('/library/my-books')).body).toContain('Grace Hopper');
  });

  it('login rotates the session: a new cookie, and the CSRF token of before no longer works', async () => {
    const b = browser(lib.app);
    const before = csrfOf((await b.get('/library/login')).body)!;
    const anonymous = b.jar.get(SESSION)!;
    expect(anonymous).toBeTruthy();
    const res = await b.post('/library/login', GRACE, { csrf: before });
    expect(res.statusCode).toBe(303);
    const loggedIn = b.jar.get(SESSION)!;
    expect(loggedIn).not.toBe(anonymous);
    // The pre-login token came from the pre-login session's secret: a form posted with it after login is refused.
    const stale = await b.post('/library/borrow', { book: 'emma' }, { csrf: before });
    expect(stale.statusCode).toBe(403);
    // The cookie planted before the login (session fixation) is still nobody's session.
    const planted = await lib.app.inject({ url: '/library/my-books', headers: { cookie: `${SESSION}=${anonymous}` } });
    expect(planted.statusCode).toBe(303);
  });

  it('logout ends the login and rotates the session again', async () => {
    const b = browser(lib.app);
    await b.login(GRACE);
    const loggedIn = b.jar.get(SESSION)!;
    const out = await b.post('/library/logout', {}, { from: '/library/my-books' });
    expect(out.statusCode).toBe(303);
    expect(b.jar.get(SESSION)).not.toBe(loggedIn);
    const page = await b.get('/library/catalog');
    expect(page.body).toContain('You are logged out.');
    expect((await b.get('/library/my-books')).statusCode).toBe(303);
  });

  it('the session works on another gateway instance with the same key, not with another key; a changed byte is refused', async () => {
    const security = gatewaySecurity({ sessionKeys: [randomBytes(32)], sessionKeyFrom: 'test' });
    const first = await lib.gateway({ security });
    const b = browser(first);
    await b.login(GRACE);
    const same = await lib.gateway({ security });
    expect((await b.use(same).get('/library/my-books')).body).toContain('Grace Hopper');
    const other = await lib.gateway({ security: gatewaySecurity() });
    expect((await browser(other).get('/library/my-books')).statusCode).toBe(303);
    const cookie = decodeURIComponent(b.jar.get(SESSION)!);
    const sealed = Buffer.from(cookie.split(';')[0]!, 'base64');
    sealed[sealed.length - 1]! ^= 1;
    const tampered = `${sealed.toString('base64')};${cookie.split(';')[1]}`;
    const res = await same.inject({
      url: '/library/my-books',
      headers: { cookie: `${SESSION}=${encodeURIComponent(tampered)}` },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/library/login?next=%2Flibrary%2Fmy-books');
  });

  it('session keys: 32 bytes as hex or base64, else a passphrase of 32+ characters, else refused', () => {
    const key = randomBytes(32);
    expect(sessionKeyFromText(key.toString('hex'))).toEqual(key);
    expect(sessionKeyFromText(key.toString('base64'))).toEqual(key);
    expect(sessionKeyFromText(key.toString('base64url'))).toEqual(key);
    const phrase = sessionKeyFromText('correct horse battery staple, twice over');
    expect(phrase).toHaveLength(32);
    expect(sessionKeyFromText('correct horse battery staple, twice over')).toEqual(phrase);
    expect(sessionKeyFromText('short')).toBeUndefined();
    // Nothing configured: a new key per process (and per gateway made without one).
    expect(gatewaySecurity().sessionKeys[0]).not.toEqual(gatewaySecurity().sessionKeys[0]);
    expect(gatewaySecurity().sessionKeyFrom).toBeUndefined();
  });
});
