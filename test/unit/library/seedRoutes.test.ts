import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEventBus } from '../../../eventlib/index.js';
import { createRegistry } from '../../../discolib/index.js';
import { instrumentBus, loadPlatformConfig, type PlatformDeps } from '../../../platform/index.js';
import { runHost, type HostedService, type RunningHost } from '../../../cli/host/runHost.js';
import { LENDING_SERVICES } from '../../../cli/services/lending.js';
import { LIBRARY_SERVICES } from '../../../cli/services/library.js';
import { SEED_BOOKS } from '../../../aggregates/library/contract.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * Seed 004's TESTME.md curl commands (catalog, patrons, borrowing, borrowing logic), as fetch calls against the
 * library view, with the lending and library services on the in-memory bus (`--demo seed`, 2 copies of each book).
 */
describe("seed 004's service routes on the library view (its TESTME commands)", () => {
  let host: RunningHost;
  let base: string;
  const today = new Date('2026-03-01T12:00:00Z');
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  const send = async (method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const log = pino({ level: 'silent' });
    const deps: PlatformDeps = {
      bus: instrumentBus(await createEventBus({ kind: 'memory' })),
      registry: createRegistry({ kind: 'memory' }, log),
      log,
      clock: () => today,
    };
    const copiesOf = Object.fromEntries(SEED_BOOKS.map((b) => [b.id, b.copies]));
    const hosted: HostedService[] = [];
    for (const entry of [...LENDING_SERVICES, ...LIBRARY_SERVICES]) {
      const defaults = loadPlatformConfig(entry.spec, { argv: [], env: {} });
      if (defaults.kind !== 'config') throw new Error(`bad defaults for ${entry.spec.defaults.name}`);
      const own = {
        ...defaults.config,
        port: 0,
        demo: 'seed',
        ...('copiesOf' in (entry.spec.options ?? {}) ? { copiesOf } : {}),
      };
      hosted.push({ component: await entry.create(deps, own), host: '127.0.0.1', port: 0 });
    }
    host = await runHost(hosted, deps, { signals: false });
    const view = await waitFor(async () => (await deps.registry.discover({ name: 'libraryview' }))[0], {
      what: 'libraryview registered',
    });
    base = `http://${view.address}:${view.port}`;
    await waitFor(
      async () =>
        (await get('/catdb')).body && ((await get('/catdb')).body as { books: unknown[] }).books.length === 20,
      {
        what: 'the seed catalog',
      },
    );
  });
  afterAll(async () => {
    await host?.stop('test done');
  });

  describe('catalogdbservice', () => {
    it('GET /catdb: every book as [id, title, author, count, thumbnailUrl]', async () => {
      const { status, type, body } = await get('/catdb');
      expect(status).toBe(200);
      expect(type).toMatch(/^application\/json/);
      const books = (body as { books: unknown[][] }).books;
      expect(books).toHaveLength(20);
      expect(books[0]).toEqual([
        1,
        'Around the Wicket Gate',
        'Spurgeon, C. H.',
        2,
        'https://www.gutenberg.org/cache/epub/60669/pg60669.cover.medium.jpg',
      ]);
      expect(books.map((b) => b[0])).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });
    it('GET /catdb/1 {pass}; /catdb/21 {fail}: 404 {"error": "Not found"}', async () => {
      expect(await get('/catdb/1')).toMatchObject({
        status: 200,
        body: { book: [[1, 'Around the Wicket Gate', 'Spurgeon, C. H.', 2, expect.stringMatching(/pg60669/)]] },
      });
      expect(await get('/catdb/21')).toMatchObject({ status: 404, body: { error: 'Not found' } });
      expect(await get('/catdb/abc')).toMatchObject({ status: 404, body: { error: 'Not found' } });
    });
    it('GET /catdb/author/Rogers and /catdb/title/king (case-insensitive substrings)', async () => {
      const rogers = await get('/catdb/author/Rogers');
      expect(rogers.status).toBe(200);
      expect((rogers.body as { books: unknown[][] }).books.map((b) => b[0])).toEqual([3, 12]);
      const king = await get('/catdb/title/king');
      expect((king.body as { books: unknown[][] }).books.map((b) => b[0])).toEqual([6, 17]);
      expect(await get('/catdb/title/nothing-like-this')).toMatchObject({ status: 404, body: { error: 'Not found' } });
      // No SQL: a quote or a LIKE wildcard is just text.
      expect((await get(`/catdb/title/${encodeURIComponent("' OR '1'='1")}`)).status).toBe(404);
      expect((await get('/catdb/title/%25')).status).toBe(404);
    });
  });

  describe('patronsdbservice', () => {
    it('GET /patdb: {"patron": [[id, firstName, lastName, patronNum, role]]}', async () => {
      const { status, body } = await get('/patdb');
      expect(status).toBe(200);
      expect((body as { patron: unknown[] }).patron).toEqual([
        [1, 'Pete', 'Dymond', 'BUFFALOBILL1', 'user'],
        [2, 'Laine', 'Scheidegger', 'DEADBEEF2222', 'user'],
        [3, 'Reid', 'Koffler', 'BUMBLEBEE333', 'user'],
        [4, 'Wilfred', 'Hatter', 'SKYWALKER444', 'user'],
        [5, 'Lorelei', 'Cowher', 'HANSOLO55555', 'user'],
        [6, 'Anastacia', 'Coram', 'DARTHVADER66', 'user'],
      ]);
    });
    it('GET /patdb/pnum/SKYWALKER444 {pass}; /patdb/pnum/SKYWALKER {fail}', async () => {
      expect(await get('/patdb/pnum/SKYWALKER444')).toMatchObject({
        status: 200,
        body: { patron: [[4, 'Wilfred', 'Hatter']] },
      });
      expect(await get('/patdb/pnum/SKYWALKER')).toMatchObject({ status: 404, body: { error: 'Not found' } });
    });
    it('GET /patdb/key/Hatter', async () => {
      expect(await get('/patdb/key/Hatter')).toMatchObject({
        status: 200,
        body: { patrons: [[4, 'Wilfred', 'Hatter', 'SKYWALKER444', 'user']] },
      });
      expect(await get('/patdb/key/nobody')).toMatchObject({ status: 404, body: { error: 'Not found' } });
    });
    it('GET /patdb/test: names case-insensitive, library ID exact, order first_last_num', async () => {
      expect((await get('/patdb/test/Pete_Dymond_BUFFALOBILL1')).body).toEqual({ patron: true });
      expect((await get('/patdb/test/pete_Dymond_BUFFALOBILL1')).body).toEqual({ patron: true });
      expect((await get('/patdb/test/Pete_Dymond_BUFFaLOBILL1')).body).toEqual({ patron: false });
      expect((await get('/patdb/test/Dymond_Pete_BUFFALOBILL1')).body).toEqual({ patron: false });
      expect(await get('/patdb/test/Pete_BUFFALOBILL1')).toMatchObject({ status: 400, body: { error: 'Bad Request' } });
    });
  });

  describe('borrowlogicservice and borrowingdbservice', () => {
    it('GET and PUT /borrow {fail}: 404 {"error": "Not found"}', async () => {
      expect(await get('/borrow')).toMatchObject({ status: 404, body: { error: 'Not found' } });
      expect(await send('PUT', '/borrow', { borrow: { book_id: 1, patron_id: 1 } })).toMatchObject({
        status: 404,
        body: { error: 'Not found' },
      });
    });
    it('POST /borrow lends through the lending flow; /borrowdb/patron/{id} lists the loan; DELETE returns it', async () => {
      expect(await get('/borrowdb/patron/1')).toMatchObject({ status: 200, body: { transactions: null } });
      const lent = await send('POST', '/borrow', { borrow: { book_id: 1, patron_id: 1 } });
      expect(lent).toEqual({ status: 201, body: { transaction: true, date_due: '2026-03-15' } });
      const rows = (await get('/borrowdb/patron/1')).body as { transactions: unknown[][] };
      expect(rows.transactions).toEqual([[1, 1, 1, 'Sun, 01 Mar 2026 00:00:00 GMT', 'Sun, 15 Mar 2026 00:00:00 GMT']]);
      // The seed frontend's due date: entry[4][0:17].
      expect(String(rows.transactions[0]![4]).slice(0, 17)).toBe('Sun, 15 Mar 2026 ');
      // Already held: refused, in the seed's shape, with the reason.
      expect(await send('POST', '/borrow', { borrow: { book_id: 1, patron_id: 1 } })).toEqual({
        status: 200,
        body: { transaction: false, reason: 'the patron already has this book' },
      });
      // TESTME's DELETE body uses the "borrow" key.
      expect(await send('DELETE', '/borrow', { borrow: { book_id: 1, patron_id: 1 } })).toEqual({
        status: 200,
        body: { transaction: true },
      });
      expect(await send('DELETE', '/borrow', { return: { book_id: 1, patron_id: 1 } })).toEqual({
        status: 200,
        body: { transaction: false },
      });
      expect((await get('/borrowdb/patron/1')).body).toEqual({ transactions: null });
    });
    it('availability is checked on the server: two copies, the third patron is refused', async () => {
      expect((await send('POST', '/borrow', { borrow: { book_id: 2, patron_id: 2 } })).status).toBe(201);
      expect((await send('POST', '/borrow', { borrow: { book_id: 2, patron_id: 3 } })).status).toBe(201);
      expect(await send('POST', '/borrow', { borrow: { book_id: 2, patron_id: 4 } })).toEqual({
        status: 200,
        body: { transaction: false, reason: 'no copy of this book is free' },
      });
    });
    it('unknown book or patron: 404 {"error": "Not found"}; a bad body: 400 {"error": "Bad Request"}', async () => {
      expect(await send('POST', '/borrow', { borrow: { book_id: 99, patron_id: 1 } })).toMatchObject({
        status: 404,
        body: { error: 'Not found' },
      });
      expect(await send('POST', '/borrow', { borrow: { book_id: 1, patron_id: 99 } })).toMatchObject({
        status: 404,
        body: { error: 'Not found' },
      });
      expect(await send('POST', '/borrow', { borrow: { book_id: 1 } })).toMatchObject({
        status: 400,
        body: { error: 'Bad Request' },
      });
      expect(await send('POST', '/borrow', { borrow: { book_id: '1 OR 1=1', patron_id: 1 } })).toMatchObject({
        status: 400,
      });
    });
  });
});
