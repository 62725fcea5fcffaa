import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { startCli, stopAllCli, waitForReady } from '../../helpers/processes.js';

/**
 * Seed 004's TESTME.md curl commands (catalogdbservice, patronsdbservice, borrowingdbservice, borrowlogicservice)
 * as fetch calls against `bookshelf start` (embedded), through the gateway, after `load-demo?set=seed`. Each expects
 * the seed's pass/fail outcome; the seed's services ran on ports 8001 to 8004, ours share the gateway's.
 */
describe("seed 004's TESTME commands on bookshelf start", () => {
  let gw = '';
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gw}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const port = await freePort();
    gw = `http://127.0.0.1:${port}`;
    const platform = startCli(['start', '--port', String(port)], {
      KAFKA_BROKERS: '',
      REDIS_URL: '',
      CONSUL_HTTP_ADDR: '',
      BOOKSHELF_INFRA: '',
    });
    await waitForReady(`${gw}/ready`, platform);
    expect((await call('POST', '/library/api/load-demo?set=seed')).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await stopAllCli();
  });

  it('catalogdbservice/TESTME.md', async () => {
    expect(((await call('GET', '/catdb')).body.books as unknown[]).length).toBe(20);
    expect((await call('GET', '/catdb/1')).status).toBe(200); // {pass}
    expect(await call('GET', '/catdb/21')).toEqual({ status: 404, body: { error: 'Not found' } }); // {fail}
    expect((await call('GET', '/catdb/author/Rogers')).status).toBe(200);
    expect((await call('GET', '/catdb/title/king')).status).toBe(200);
  });

  it('patronsdbservice/TESTME.md', async () => {
    expect((await call('GET', '/patdb')).status).toBe(200);
    expect((await call('GET', '/patdb/pnum/SKYWALKER444')).status).toBe(200); // {pass}
    expect((await call('GET', '/patdb/pnum/SKYWALKER')).status).toBe(404); // {fail}
    expect((await call('GET', '/patdb/key/Hatter')).status).toBe(200);
    expect((await call('GET', '/patdb/test/Pete_Dymond_BUFFALOBILL1')).body).toEqual({ patron: true }); // {pass}
    expect((await call('GET', '/patdb/test/pete_Dymond_BUFFALOBILL1')).body).toEqual({ patron: true }); // {pass}
    expect((await call('GET', '/patdb/test/Pete_Dymond_BUFFaLOBILL1')).body).toEqual({ patron: false }); // {fail}
    expect((await call('GET', '/patdb/test/Dymond_Pete_BUFFALOBILL1')).body).toEqual({ patron: false }); // {fail}
  });

  it('borrowlogicservice/TESTME.md and the patron search of borrowingdbservice/TESTME.md', async () => {
    expect((await call('GET', '/borrow')).status).toBe(404); // {fail}
    const add = await call('POST', '/borrow', { borrow: { book_id: 1, patron_id: 1 } });
    expect(add.status).toBe(201);
    expect(add.body.transaction).toBe(true);
    expect((await call('PUT', '/borrow', { borrow: { book_id: 1, patron_id: 1 } })).status).toBe(404); // {fail}
    const loans = (await call('GET', '/borrowdb/patron/1')).body.transactions as unknown[][];
    expect(loans.map((row) => row.slice(1, 3))).toEqual([[1, 1]]);
    expect((await call('GET', '/borrowdb/patron/2')).body).toEqual({ transactions: null });
    expect(await call('DELETE', '/borrow', { borrow: { book_id: 1, patron_id: 1 } })).toEqual({
      status: 200,
      body: { transaction: true },
    });
  });
});
