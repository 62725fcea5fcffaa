import { afterAll, describe, expect, it } from 'vitest';
import { startCli, stopAllCli } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

describe('lending in the embedded platform (npm start)', () => {
  afterAll(() => stopAllCli());

  it('lends, denies and returns through the gateway, with the worker running inside bookshelf start', async () => {
    const platform = startCli(['start', '--port', '0']);
    const gateway = await waitFor(() => /gateway\s+(http:\/\/\S+)/.exec(platform.output())?.[1], {
      timeoutMs: 60_000,
      what: 'the banner',
    });
    expect(platform.output()).toMatch(/lendingworker\s+http/);
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${gateway}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { status: string; requestId: string } };
    };
    const lent = await post('/lending/requests?wait=true', { user: 'ann', books: ['dune'] });
    expect(lent).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const denied = await post('/lending/requests?wait=true', { user: 'bob', books: ['dune'] });
    expect(denied).toMatchObject({ status: 200, body: { status: 'denied' } });
    const returned = await post('/lending/returns?wait=true', { user: 'ann', books: ['dune'] });
    expect(returned).toMatchObject({ status: 200, body: { status: 'returned' } });
    const book = await fetch(`${gateway}/lending/books/dune`).then((r) => r.json());
    expect(book).toMatchObject({ holders: [], status: 'storage' });
    const bad = await post('/lending/requests', { user: 'ann', books: [] });
    expect(bad.status).toBe(400);
  });
});
