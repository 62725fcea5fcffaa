import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../docker/stack/ports.js';
import { infra } from '../../setup/infra.js';
import { startCli, stopAllCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

const exec = promisify(execFile);

/**
 * Issue 5 end to end: every service is a real child process started through the CLI, on the real Kafka broker
 * and the real Consul agent, with the SPEC §5 names, ids and tags.
 */
describe('bookshelf on Kafka and Consul, one process per service', () => {
  const { kafkaBrokers, consulAddr, consulDnsPort } = infra();
  const topic = uniqueName('bookshelf');
  const common = ['--broker', kafkaBrokers, '--consul', consulAddr, '--topic', topic];
  const procs: Record<string, CliProcess> = {};
  const ports: Record<string, number> = {};
  let gw = '';

  const start = async (key: string, words: string[], extra: string[] = []) => {
    ports[key] ??= await freePort();
    procs[key] = startCli([...words, ...common, '--port', String(ports[key]), ...extra]);
    await waitForReady(`http://127.0.0.1:${ports[key]}/ready`, procs[key]);
  };

  const consulPassing = async (name: string) => {
    const res = await fetch(`http://${consulAddr}/v1/health/service/${name}?passing=true`);
    return (await res.json()) as { Service: { ID: string; Service: string; Tags: string[]; Port: number } }[];
  };

  const json = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${gw}${path}`, init);
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
  const post = (path: string, body?: unknown) =>
    json(path, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const kcatProduce = (lines: string[]) =>
    new Promise<void>((resolve, reject) => {
      const p = spawn('kcat', ['-P', '-b', kafkaBrokers, '-t', topic], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${err}`))));
      p.stdin.end(lines.join('\n') + '\n');
    });

  beforeAll(async () => {
    await Promise.all([
      start('newbook', ['aggregate', 'new-book']),
      start('readbook', ['aggregate', 'read-book']),
      start('lastread', ['view', 'last-read']),
      start('booklist', ['view', 'book-list']),
    ]);
    // Only the bookshelf routes: /ready waits for a passing instance of each of the four services.
    await start('gateway', ['gateway', '--domains', 'bookshelf']);
    gw = `http://127.0.0.1:${ports.gateway}`;
  });

  afterAll(async () => {
    await stopAllCli();
  });

  it('kcat pushes seven plain lines; the last-read view returns the last five, oldest first', async () => {
    await kcatProduce(['one', 'two', 'three', 'four', 'five', 'six', 'seven']);
    const view = `http://127.0.0.1:${ports.lastread}/`;
    const list = await waitFor(
      async () => {
        const body = (await (await fetch(view)).json()) as { title: string }[];
        return body.length === 5 && body[4]?.title === 'seven' ? body : undefined;
      },
      { what: 'the five last kcat lines in the view' },
    );
    expect(list.map((b) => b.title)).toEqual(['three', 'four', 'five', 'six', 'seven']);
  });

  it('through the gateway: add books (201 with id), finish six, read the last five in order and the whole list', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await post('/bookshelf/books', { title: `Book ${i}`, author: `Author ${i}` });
      expect(res.status).toBe(201);
      const book = res.body as { id: string; title: string; author: string };
      expect(book).toMatchObject({ title: `Book ${i}`, author: `Author ${i}` });
      expect(book.id).toMatch(/^[0-9a-f-]{36}$/);
      ids.push(book.id);
      // Read-your-writes: the list shows the book right after its creation, with no sleep.
      const list = await json('/bookshelf/books');
      expect((list.body as { id: string }[]).map((b) => b.id)).toContain(book.id);
    }
    for (const id of ids) expect((await post(`/bookshelf/books/${id}/finished`)).status).toBe(204);

    const last = await json('/bookshelf/books/last/read');
    expect(last.status).toBe(200);
    expect((last.body as { id: string; title: string }[]).map((b) => b.title)).toEqual([
      'Book 2',
      'Book 3',
      'Book 4',
      'Book 5',
      'Book 6',
    ]);
    expect((last.body as { id: string }[]).map((b) => b.id)).toEqual(ids.slice(1));

    const all = await json('/bookshelf/books');
    expect((all.body as { id: string }[]).map((b) => b.id)).toEqual(ids);
  });

  it('finishing an unknown book is 404 problem+json and records nothing', async () => {
    const before = await json('/bookshelf/books/last/read');
    const res = await post('/bookshelf/books/no-such-book/finished');
    expect(res.status).toBe(404);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, code: 'BOOK_ERR_NOT_FOUND' });
    expect((await json('/bookshelf/books/last/read')).body).toEqual(before.body);
  });

  it('Consul lists the four services with the SPEC names, ids and tags, and DNS SRV gives the view its port', async () => {
    const expected = [
      ['newbook', 'newbook1', ['books', 'new']],
      ['readbook', 'readbook1', ['books', 'read']],
      ['lastreadbooks', 'lastread1', ['books', 'last']],
      ['booklist', 'booklist1', ['books', 'list']],
    ] as const;
    for (const [name, id, tags] of expected) {
      const instances = await waitFor(
        async () => {
          const list = await consulPassing(name);
          return list.some((i) => i.Service.ID === id) ? list : undefined;
        },
        { what: `${name} passing in Consul` },
      );
      expect(instances.find((i) => i.Service.ID === id)!.Service.Tags).toEqual([...tags]);
    }
    const srv = await waitFor(
      async () => {
        const { stdout } = await exec('dig', [
          '@127.0.0.1',
          '-p',
          String(consulDnsPort),
          'lastreadbooks.service.consul',
          'SRV',
          '+short',
        ]);
        return stdout.trim();
      },
      { what: 'an SRV answer' },
    );
    expect(srv.split(/\s+/)[2]).toBe(String(ports.lastread));
  });

  it('bad input: malformed JSON and invalid books are 400 problem+json; unknown routes are 404 problem+json', async () => {
    const bad = await json('/bookshelf/books', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title": "x",',
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    const invalid = await post('/bookshelf/books', { title: 'no author' });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('author');
    const missing = await json('/bookshelf/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });

  it('a poison event on the topic goes to the dead-letter topic and the view keeps going', async () => {
    // Claims the known type book-read but fails its schema (neither id nor title).
    await kcatProduce([JSON.stringify({ type: 'book-read', version: 1, data: { pages: 3 } }), 'after the poison']);
    await waitFor(
      async () => {
        const body = (await (await fetch(`http://127.0.0.1:${ports.lastread}/`)).json()) as { title?: string }[];
        return body.at(-1)?.title === 'after the poison';
      },
      { what: 'the line after the poison in the view' },
    );
    const { stdout } = await exec('kcat', [
      '-C',
      '-b',
      kafkaBrokers,
      '-t',
      `${topic}.dlq`,
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    expect(stdout).toContain('pages');
  });

  it('a view killed with SIGKILL and started again gives the same answer once caught up', async () => {
    const before = await json('/bookshelf/books/last/read');
    procs.lastread!.signal('SIGKILL');
    await procs.lastread!.exited;
    await start('lastread', ['view', 'last-read']);
    const after = await (await fetch(`http://127.0.0.1:${ports.lastread}/`)).json();
    expect(after).toEqual(before.body);
  });

  it('two last-read instances both register and answer; the gateway keeps serving when one dies', async () => {
    await start('lastread2', ['view', 'last-read'], ['--id', 'lastread2']);
    const both = await waitFor(
      async () => {
        const list = await consulPassing('lastreadbooks');
        return list.length === 2 ? list : undefined;
      },
      { what: 'two passing lastreadbooks instances' },
    );
    expect(both.map((i) => i.Service.ID).sort()).toEqual(['lastread1', 'lastread2']);
    const one = await (await fetch(`http://127.0.0.1:${ports.lastread}/`)).json();
    const two = await (await fetch(`http://127.0.0.1:${ports.lastread2}/`)).json();
    expect(two).toEqual(one);

    procs.lastread!.signal('SIGKILL');
    await procs.lastread!.exited;
    for (let i = 0; i < 6; i++) {
      const res = await json('/bookshelf/books/last/read');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(one);
    }
  });

  it('SIGTERM deregisters each service before it exits', async () => {
    for (const [key, name] of [
      ['lastread2', 'lastreadbooks'],
      ['booklist', 'booklist'],
      ['newbook', 'newbook'],
      ['readbook', 'readbook'],
    ] as const) {
      expect(await procs[key]!.stop()).toBe(0);
      const left = await consulPassing(name);
      expect(left.filter((i) => i.Service.Port === ports[key])).toEqual([]);
    }
    // With every upstream gone the gateway answers 503 problem+json.
    const res = await json('/bookshelf/books');
    expect(res.status).toBe(503);
    expect(res.type).toContain('application/problem+json');
  });
});
