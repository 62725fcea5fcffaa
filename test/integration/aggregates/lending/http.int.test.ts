import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createRegistry } from '../../../../discolib/index.js';
import { lendingConfig } from '../../../../aggregates/lending/domain/index.js';
import { lendingCommandService } from '../../../../aggregates/lending/service/commandService.js';
import { ensureLendingTopics } from '../../../../aggregates/lending/service/queue.js';
import { shelvingService } from '../../../../aggregates/lending/service/shelvingService.js';
import { lendingWorkerService } from '../../../../aggregates/lending/worker/workerService.js';
import { lendingViewService } from '../../../../views/lending/lendingViewService.js';
import { gatewayService } from '../../../../gateway/service.js';
import { LENDING_GATEWAY } from '../../../../gateway/lendingRoutes.js';
import { runHost, type RunningHost } from '../../../../cli/host/runHost.js';
import type { PlatformDeps } from '../../../../platform/index.js';
import { waitForHostReady } from '../../../helpers/hostReady.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';
import { freshTopics, TRANSPORTS } from './support.js';

/** What the gateway answers (requests view, users view, books view or a problem), loosely typed for assertions. */
interface Answer {
  requestId: string;
  status: string;
  outcome: { type: string; data: Record<string, unknown> & { books: { book: string }[] } };
  shelved?: string[];
  [key: string]: unknown;
}

const id = (name: string) => ({ name, id: `${name}-1`, tags: ['lending'] });

describe.each(TRANSPORTS)('lending over HTTP through the gateway on $name', (transport) => {
  let host: RunningHost;
  let gw: string;
  const commandTypes: string[] = [];

  beforeAll(async () => {
    const { topics } = freshTopics();
    const bus = await transport.bus();
    const log = pino({ level: 'silent' });
    const deps: PlatformDeps = { bus, registry: createRegistry({ kind: 'memory' }, log), log, clock: () => new Date() };
    const config = lendingConfig({ limit: 3, storageCapacity: 1 });
    const busConfig =
      transport.name === 'redis' ? ({ kind: 'redis', url: infra().redisUrl } as const) : ({ kind: 'memory' } as const);
    await ensureLendingTopics(bus, topics); // the spy below would otherwise create them with the default count
    await bus.subscribe({
      topics: [topics.commands],
      group: uniqueName('spy'),
      from: 'beginning',
      handler: (e) => void commandTypes.push(e.type),
    });
    const components = [
      await lendingCommandService(deps, { identity: id('lending'), topics }),
      await lendingViewService(deps, { identity: id('lendingview'), topics, group: uniqueName('view'), config }),
      await shelvingService(deps, { identity: id('shelving'), topics, group: uniqueName('shelving') }),
      await lendingWorkerService(deps, {
        identity: id(uniqueName('worker')),
        topics,
        config,
        bus: busConfig,
        registry: { kind: 'memory' },
      }),
      gatewayService(deps, { identity: id('gateway'), modules: [LENDING_GATEWAY] }),
    ];
    host = await runHost(
      components.map((component) => ({ component, host: '127.0.0.1', port: 0 })),
      deps,
      { signals: false },
    );
    await waitForHostReady(host, deps.registry);
    gw = host.urls.get('gateway')!;
  });
  afterAll(() => host?.stop());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${gw}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as Answer,
    };
  };
  const get = async (path: string) => {
    const res = await fetch(`${gw}${path}`);
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const request = (user: string, books: string[]) => post('/lending/requests?wait=true', { user, books });
  const giveBack = (user: string, books: string[]) => post('/lending/returns?wait=true', { user, books });

  it('applies the rules of SPEC §6 end to end', async () => {
    // accepted, duplicates collapse, due date = today + 14 days
    const first = await request('ann', ['a', 'a', 'b']);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('accepted');
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    expect(first.body.outcome.data.books).toEqual([
      { book: 'a', due, from: 'shelf' },
      { book: 'b', due, from: 'shelf' },
    ]);
    // partial grant: a is lent to ann, c is free
    const partial = await request('bob', ['a', 'c']);
    expect(partial.body.outcome.data).toMatchObject({
      books: [{ book: 'c' }],
      skipped: [{ book: 'a', reason: 'unavailable' }],
      held: 1,
    });
    // none available
    const none = await request('bob', ['a', 'b']);
    expect(none.body).toMatchObject({
      status: 'denied',
      outcome: { data: { cause: 'none of the requested books is available' } },
    });
    // held by the requester
    const held = await request('ann', ['a']);
    expect(held.body.outcome.data).toMatchObject({
      cause: 'none of the requested books is available',
      skipped: [{ book: 'a', reason: 'already-held' }],
    });
    // over the limit (3): denied as a whole, the copies found are not kept
    const tooMany = await request('ann', ['d', 'e']);
    expect(tooMany.body.outcome.data).toMatchObject({ cause: 'too many books', found: ['d', 'e'], held: 2, limit: 3 });
    expect((await get('/lending/books/d')).body).toMatchObject({ available: 1, holders: [] });
    expect((await request('carl', ['d'])).body.status).toBe('accepted');

    // users and books views
    const ann = await get('/lending/users/ann');
    expect(ann.body).toEqual({
      user: 'ann',
      books: [
        { book: 'a', due },
        { book: 'b', due },
      ],
      count: 2,
    });
    expect((await get('/lending/books/a')).body).toMatchObject({ holders: [{ user: 'ann', due }], status: 'lent' });

    // returns ignore books not held; storage holds 1, the overflow goes to shelving and back to the shelves
    const back = await giveBack('ann', ['a', 'b', 'zzz']);
    expect(back.body.outcome.data).toMatchObject({ books: ['a', 'b'], ignored: ['zzz'], held: 0 });
    expect(back.body.stored).toEqual(['a']);
    expect(back.body.sentToShelving).toEqual(['b']);
    await waitFor(async () => (await get(`/lending/requests/${back.body.requestId}`)).body.shelved?.length === 1, {
      what: 'the shelving service to put b back',
    });
    expect((await get('/lending/books/b')).body).toMatchObject({ where: { storage: 0, shelving: 0, shelf: 1 } });
    expect((await get('/lending/books/a')).body).toMatchObject({ where: { storage: 1 }, status: 'storage' });
  });

  it('answers 202 with a request id without ?wait, and the request can be read back', async () => {
    const queued = await post('/lending/requests', { user: 'dora', books: ['q'] });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ kind: 'request', status: 'pending' });
    const read = await waitFor(
      async () => {
        const r = await get(`/lending/requests/${queued.body.requestId}`);
        return r.body.status === 'accepted' ? r : undefined;
      },
      { what: 'the outcome' },
    );
    expect(read.body.outcome.data.books[0]?.book).toBe('q');
    expect((await get('/lending/requests/no-such-request')).status).toBe(404);
  });

  it('rejects bad input with 4xx problem+json and queues nothing', async () => {
    await waitFor(() => commandTypes.length > 0, { what: 'the spy to see the earlier commands' });
    const before = commandTypes.length;
    for (const bad of [
      { user: '', books: ['x'] },
      { user: 'eve', books: [] },
      { user: 'eve' },
      { user: 42, books: ['x'] },
      { user: 'eve', books: 'x' },
      { user: 'eve', books: [1, 2] },
      { user: 'eve', books: Array.from({ length: 101 }, (_, i) => `b${i}`) },
      { user: 'e'.repeat(201), books: ['x'] },
      '[1,2]',
      'not json',
    ]) {
      for (const path of ['/lending/requests', '/lending/returns']) {
        const res = await post(path, bad).catch(() => undefined);
        expect(res?.status, JSON.stringify(bad)).toBeGreaterThanOrEqual(400);
        expect(res?.status).toBeLessThan(500);
        expect(res?.type).toMatch(/^application\/problem\+json/);
      }
    }
    // A valid request afterwards is the only new command
    await post('/lending/requests', { user: 'eve', books: ['ok'] });
    await waitFor(() => commandTypes.length === before + 1, { what: 'the valid command' });
    expect(commandTypes.length).toBe(before + 1);
  });
});
