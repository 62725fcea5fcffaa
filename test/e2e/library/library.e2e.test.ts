import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createClient } from 'redis';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** 32 bytes, base64: the key of the library's sealed session cookies (BOOKSHELF_SESSION_KEY). */
const SESSION_KEY = Buffer.alloc(32, 'library-e2e-session-key').toString('base64');

type Who = { first: string; last: string; id: string };
const ADA: Who = { first: 'Ada', last: 'Lovelace', id: 'L-1001' };
const ALAN: Who = { first: 'Alan', last: 'Turing', id: 'L-1002' };
const GRACE: Who = { first: 'Grace', last: 'Hopper', id: 'L-1003' };
const KATHERINE: Who = { first: 'Katherine', last: 'Johnson', id: 'L-1004' };
const EDSGER: Who = { first: 'Edsger', last: 'Dijkstra', id: 'L-1005' };
const LIBRARIAN: Who = { first: 'Melvil', last: 'Dewey', id: 'LIB-0001' };

/** Today (UTC) + 14 days, the due date of a loan made now (SPEC §6). */
const dueToday = () => new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

/**
 * Redis logical database only this file uses (lending keys, streams and the library topic are not namespaced in
 * `bookshelf up`): the first empty one of 1..15, flushed again at the end.
 */
async function emptyRedisDb(url: string): Promise<number> {
  for (let db = 15; db >= 1; db--) {
    const client = createClient({ url, database: db });
    await client.connect();
    const size = await client.dbSize();
    const claimed = size === 0 ? await client.set('library-e2e-claim', String(process.pid), { NX: true }) : null;
    await client.del('library-e2e-claim');
    await client.quit();
    if (claimed) return db;
  }
  throw new Error('no empty Redis database for the library e2e test');
}

describe('library web app in headless Chromium on bookshelf up (Redis)', () => {
  let up: CliProcess;
  let startUp: () => Promise<void>;
  let gw: string;
  let db: number;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const { redisUrl } = infra();
    db = await emptyRedisDb(redisUrl);
    const port = await freePort();
    gw = `http://127.0.0.1:${port}`;
    startUp = async () => {
      up = startCli(['up', '--redis', `${redisUrl.replace(/\/\d*$/, '')}/${db}`, '--port', String(port)], {
        KAFKA_BROKERS: '',
        BOOKSHELF_BROKER: '',
        CONSUL_HTTP_ADDR: '',
        BOOKSHELF_CONSUL: '',
        // The same session key after the restart below: logins survive it (without one they end at restart).
        BOOKSHELF_SESSION_KEY: SESSION_KEY,
      });
      await waitForReady(`${gw}/ready`, up, 120_000);
    };
    await startUp();
    await waitFor(
      async () => {
        const res = await fetch(`${gw}/library/api/books`).catch(() => undefined);
        return res?.status === 200 && ((await res.json()) as { books: unknown[] }).books.length >= 20;
      },
      { what: 'the demo catalog', timeoutMs: 60_000 },
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
    await stopAllCli();
    if (db) {
      const client = createClient({ url: infra().redisUrl, database: db });
      await client.connect();
      await client.flushDb();
      await client.quit();
    }
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    contexts.push(context);
    return context.newPage();
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
  const fillLogin = async (page: Page, who: Who) => {
    await page.getByLabel('First name').fill(who.first);
    await page.getByLabel('Last name').fill(who.last);
    await page.getByLabel('Library ID').fill(who.id);
    await page.getByRole('button', { name: 'Log in' }).click();
  };
  const loggedIn = async (who: Who, start = '/library/catalog') => {
    const page = await newPage();
    await page.goto(`${gw}/library/login?next=${encodeURIComponent(start)}`);
    await fillLogin(page, who);
    await page.waitForURL(`${gw}${start}`);
    return page;
  };
  const flash = (page: Page) => page.locator('#flash').innerText();
  const row = (page: Page, book: string) => page.locator(`tr[data-book="${book}"]`);
  /** `available` of "N of M available" (0 when every copy is lent). */
  const availableOf = async (page: Page, book: string) => {
    const text = await row(page, book).locator('.avail').innerText();
    return /^(\d+) of/.exec(text) ? Number(/^(\d+) of/.exec(text)![1]) : 0;
  };
  const borrow = async (page: Page, title: string) => {
    await page.goto(`${gw}/library/catalog?title=${encodeURIComponent(title)}`);
    await page.getByRole('button', { name: `Borrow ${title}` }).click();
    await page.waitForLoadState();
    return flash(page);
  };
  const heldBy = async (user: string) =>
    ((await (await fetch(`${gw}/lending/users/${user}`)).json()) as { books: { book: string }[] }).books;

  it('wrong login -> an error message; right login -> back to the page the patron came from', async () => {
    const page = await newPage();
    await page.goto(`${gw}/library/catalog?author=austen`);
    await page.getByRole('link', { name: 'Log in', exact: true }).click();
    await fillLogin(page, { ...ADA, id: 'L-9999' });
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Login failed');
    await shot(page, 'login-error');
    await fillLogin(page, { first: 'ada', last: 'LOVELACE', id: ADA.id });
    await page.waitForURL(`${gw}/library/catalog?author=austen`);
    expect(await page.locator('nav').innerText()).toContain('Signed in as Ada Lovelace');
    expect(await row(page, 'emma').count()).toBe(1);
    // Every form carries its CSRF token; the browser sends Origin: logging out works as a click.
    expect(await page.locator('form[method=post] input[name=_csrf]').count()).toBeGreaterThan(1);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${gw}/library/catalog`);
    expect(await flash(page)).toBe('You are logged out.');
    expect(await page.locator('nav').innerText()).not.toContain('Signed in');
  });

  it('catalog search by author and by title (case-insensitive)', async () => {
    const page = await newPage();
    await page.goto(`${gw}/library/catalog`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(20);
    await shot(page, 'catalog');
    await page.getByLabel('Author').fill('CARROLL');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/author=CARROLL/);
    expect(await page.locator('tbody th[scope=row]').allInnerTexts()).toEqual([
      "Alice's Adventures in Wonderland",
      'Through the Looking-Glass',
    ]);
    await page.getByLabel('Author').fill('');
    await page.getByLabel('Title').fill('moby');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/title=moby/);
    expect(await page.locator('tbody th[scope=row]').allInnerTexts()).toEqual(['Moby Dick; Or, The Whale']);
    await shot(page, 'catalog-search');
  });

  it('borrow -> My books shows the book with its due date; return -> it leaves My books and availability goes up', async () => {
    const page = await loggedIn(ALAN);
    await page.goto(`${gw}/library/catalog?title=dracula`);
    const before = await availableOf(page, 'dracula');
    expect(before).toBeGreaterThan(0);
    expect(await borrow(page, 'Dracula')).toBe(`You borrowed “Dracula”. It is due on ${dueToday()}.`);
    expect(await availableOf(page, 'dracula')).toBe(before - 1);
    await page.getByRole('link', { name: 'My books' }).click();
    await expect.poll(() => row(page, 'dracula').innerText()).toContain(dueToday());
    await shot(page, 'my-books');
    await page.getByRole('button', { name: 'Return Dracula' }).click();
    await page.waitForLoadState();
    expect(await flash(page)).toContain('You returned “Dracula”');
    expect(await row(page, 'dracula').count()).toBe(0);
    await page.goto(`${gw}/library/catalog?title=dracula`);
    expect(await availableOf(page, 'dracula')).toBe(before);
  });

  it('an unavailable book (lent while the page was open) and a sixth book past the limit -> a clear refusal', async () => {
    const grace = await loggedIn(GRACE, '/library/catalog?title=treasure');
    const ada = await loggedIn(ADA);
    const copies = await availableOf(grace, 'treasure-island');
    // Ada takes every free copy (other patrons: one copy per patron) while Grace's page still shows Borrow.
    expect(await borrow(ada, 'Treasure Island')).toContain('You borrowed');
    const others = [ALAN, KATHERINE, EDSGER].slice(0, copies - 1);
    for (const who of others) expect(await borrow(await loggedIn(who), 'Treasure Island')).toContain('You borrowed');
    await grace.getByRole('button', { name: 'Borrow Treasure Island' }).click();
    await grace.waitForLoadState();
    expect(await grace.getByRole('alert').innerText()).toContain(
      'Borrowing refused: no copy of “Treasure Island” is free',
    );
    await shot(grace, 'refused-unavailable');
    expect(await row(grace, 'treasure-island').getByRole('button').count()).toBe(0);

    for (const title of ['Emma', 'Dracula', 'The Odyssey', 'Frankenstein; Or, The Modern Prometheus']) {
      expect(await borrow(ada, title)).toContain('You borrowed');
    }
    expect(await heldBy(ADA.id)).toHaveLength(5);
    expect(await borrow(ada, 'War and Peace')).toContain(
      'Borrowing refused: you already hold 5 books and the limit is 5',
    );
    await shot(ada, 'refused-limit');
    expect(await heldBy(ADA.id)).toHaveLength(5);
  });

  it('two browser sessions borrowing the last copy at the same moment -> exactly one succeeds', async () => {
    const a = await loggedIn(KATHERINE, '/library/catalog?title=time%20machine');
    const b = await loggedIn(EDSGER, '/library/catalog?title=time%20machine');
    const copies = await availableOf(a, 'the-time-machine');
    // Leave exactly one copy free.
    const fillers = [GRACE, ALAN].slice(0, copies - 1);
    for (const who of fillers) expect(await borrow(await loggedIn(who), 'The Time Machine')).toContain('You borrowed');
    await a.reload();
    await b.reload();
    expect(await availableOf(a, 'the-time-machine')).toBe(1);
    await Promise.all([
      a.getByRole('button', { name: 'Borrow The Time Machine' }).click(),
      b.getByRole('button', { name: 'Borrow The Time Machine' }).click(),
    ]);
    await Promise.all([a.waitForLoadState(), b.waitForLoadState()]);
    const messages = [await flash(a), await flash(b)];
    expect(messages.filter((m) => m.startsWith('You borrowed'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('Borrowing refused: no copy'))).toHaveLength(1);
    const holders = ((await (await fetch(`${gw}/lending/books/the-time-machine`)).json()) as { holders: unknown[] })
      .holders;
    expect(holders).toHaveLength(copies);
  });

  it('admin reset returns every loan', async () => {
    const page = await loggedIn(LIBRARIAN, '/library/admin');
    const lent = Number(/^(\d+)/.exec(await page.locator('#lent-count').innerText())![1]);
    expect(lent).toBeGreaterThan(0);
    await shot(page, 'admin');
    await page.getByRole('button', { name: 'Return every loan' }).click();
    await page.waitForURL(`${gw}/library/admin`);
    expect(await flash(page)).toBe(`Every loan was returned (${lent}).`);
    expect(await page.locator('#lent-count').innerText()).toMatch(/^0 copies are lent/);
    for (const who of [ADA, ALAN, GRACE, KATHERINE, EDSGER]) expect(await heldBy(who.id)).toEqual([]);
    const ada = await loggedIn(ADA, '/library/my-books');
    expect(await ada.locator('#held-count').innerText()).toContain('You hold 0 books');
    await ada.goto(`${gw}/library/about`);
    await shot(ada, 'about');
  });

  it('a session survives a restart of the platform (sealed cookie, same key, no server-side session store)', async () => {
    const page = await loggedIn(GRACE, '/library/my-books');
    expect(await page.locator('nav').innerText()).toContain('Signed in as Grace Hopper');
    // The cookie is sealed (HttpOnly, encrypted): nothing of the patron can be read from it.
    const [cookie] = await page.context().cookies(`${gw}/library/`);
    expect(cookie).toMatchObject({ name: 'bookshelf_library_session', httpOnly: true, sameSite: 'Lax' });
    for (const text of [cookie!.value, Buffer.from(decodeURIComponent(cookie!.value), 'base64').toString('latin1')]) {
      expect(text).not.toMatch(/Grace|Hopper|L-1003/);
    }
    expect(await up.stop()).toBe(0);
    await startUp();
    await page.goto(`${gw}/library/my-books`);
    expect(page.url()).toBe(`${gw}/library/my-books`);
    expect(await page.locator('nav').innerText()).toContain('Signed in as Grace Hopper');
  });
});
