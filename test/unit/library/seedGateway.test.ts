import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibraryApp, type LibraryApp } from './libraryApp.js';

/** Seed 004's routes through the gateway's library module (forwarded to the library view). */
describe("seed 004's routes on the gateway", () => {
  let lib: LibraryApp;
  beforeAll(async () => {
    lib = await startLibraryApp();
    const loaded = await lib.app.inject({ method: 'POST', url: '/library/api/load-demo?set=seed' });
    expect(loaded.statusCode).toBe(201);
    expect(loaded.json()).toEqual({ written: 26 });
  });
  afterAll(async () => {
    await lib?.close();
  });

  it('reads the seed shapes through the gateway (read-your-writes after the load)', async () => {
    const catdb = await lib.app.inject({ method: 'GET', url: '/catdb/author/Rogers' });
    expect(catdb.statusCode).toBe(200);
    expect(catdb.json<{ books: unknown[][] }>().books.map((b) => b[0])).toEqual([3, 12]);
    expect((await lib.app.inject({ method: 'GET', url: '/catdb/21' })).json()).toEqual({ error: 'Not found' });
    const test = await lib.app.inject({ method: 'GET', url: '/patdb/test/pete_Dymond_BUFFALOBILL1' });
    expect(test.json()).toEqual({ patron: true });
  });

  it('POST /borrow goes through the lending flow; the seed patron holds the book in the lending view', async () => {
    const res = await lib.app.inject({
      method: 'POST',
      url: '/borrow',
      payload: { borrow: { book_id: 5, patron_id: 6 } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ transaction: true, date_due: '2026-03-15' });
    const held = await lib.app.inject({ method: 'GET', url: '/lending/users/DARTHVADER66' });
    expect(held.json()).toMatchObject({ books: [{ book: 'gutenberg-60226', due: '2026-03-15' }] });
    const rows = await lib.app.inject({ method: 'GET', url: '/borrowdb/patron/6' });
    expect(rows.json<{ transactions: unknown[][] }>().transactions).toHaveLength(1);
    const back = await lib.app.inject({
      method: 'DELETE',
      url: '/borrow',
      payload: { borrow: { book_id: 5, patron_id: 6 } },
    });
    expect(back.json()).toEqual({ transaction: true });
  });

  it('the seed patrons pass the login check of the library web app (names any case, library ID exact)', async () => {
    const [view] = await lib.deps.registry.discover({ name: 'libraryview' });
    const login = (firstName: string, lastName: string, libraryId: string) =>
      fetch(`http://${view!.address}:${view!.port}/patrons/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstName, lastName, libraryId }),
      });
    expect((await login('lorelei', 'COWHER', 'HANSOLO55555')).status).toBe(200);
    expect((await login('Lorelei', 'Cowher', 'hansolo55555')).status).toBe(401);
  });
});
