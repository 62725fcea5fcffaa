import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

/** `npm start` runs `bookshelf start`: every service in one process, in-memory bus and registry, no servers. */
describe('embedded platform (bookshelf start)', () => {
  let platform: CliProcess;
  let gw = '';

  afterAll(async () => {
    await stopAllCli();
  });

  const noInfra = { KAFKA_BROKERS: '', REDIS_URL: '', CONSUL_HTTP_ADDR: '', BOOKSHELF_INFRA: '' };

  it('starts with no external server, prints the URLs, and serves the gateway routes', async () => {
    const port = await freePort();
    platform = startCli(['start', '--port', String(port)], noInfra);
    gw = `http://127.0.0.1:${port}`;
    await waitForReady(`${gw}/ready`, platform);
    // The banner is printed once the gateway is ready (every service it routes to passing), a moment after /ready.
    await waitFor(() => platform.output().includes(`${gw}/docs`), { timeoutMs: 10_000, what: 'the banner' });
    expect(platform.output()).toContain('curl');

    const add = await fetch(`${gw}/bookshelf/books`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Embedded', author: 'Nobody' }),
    });
    expect(add.status).toBe(201);
    const book = (await add.json()) as { id: string };
    expect((await fetch(`${gw}/bookshelf/books/${book.id}/finished`, { method: 'POST' })).status).toBe(204);
    expect(await (await fetch(`${gw}/bookshelf/books`)).json()).toEqual([
      { id: book.id, title: 'Embedded', author: 'Nobody' },
    ]);
    expect(await (await fetch(`${gw}/bookshelf/books/last/read`)).json()).toEqual([
      { id: book.id, title: 'Embedded', author: 'Nobody' },
    ]);
    const docs = (await (await fetch(`${gw}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/bookshelf/books', '/bookshelf/books/last/read', '/bookshelf/books/{id}/finished']),
    );
  });

  it('refuses real-infrastructure flags with one clear line and a non-zero exit', async () => {
    const p = startCli(['start', '--broker', '127.0.0.1:9092'], noInfra);
    const code = await p.exited;
    expect(code).not.toBe(0);
    expect(p.output().trim().split('\n')).toHaveLength(1);
    expect(p.output()).toContain('bookshelf up');
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await platform.stop()).toBe(0);
  });
});
