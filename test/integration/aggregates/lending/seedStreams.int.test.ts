import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createRegistry } from '../../../../discolib/index.js';
import { DEAD_LETTER_TYPE, deadLetterTopic, type EventBus } from '../../../../eventlib/index.js';
import { lendingConfig } from '../../../../aggregates/lending/domain/index.js';
import { lendingCommandService } from '../../../../aggregates/lending/service/commandService.js';
import { seedRequestId } from '../../../../aggregates/lending/service/seedStreams.js';
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

const id = (name: string) => ({ name, id: `${name}-1`, tags: ['lending'] });

/** The exact line of the lending README: `redis-cli XADD <stream> * user_id <user> book_ids <b1,b2>`. */
function seedXadd(stream: string, fields: string[]): string {
  return execFileSync('redis-cli', ['-u', infra().redisUrl, 'XADD', stream, '*', ...fields], {
    encoding: 'utf8',
  }).trim();
}

/** Issue 12: the lending seed's own streams and fields, written as its `get_books.py` writes them, on real Redis. */
describe("the lending seed's streams on Redis", () => {
  const { topics } = freshTopics();
  const redis = TRANSPORTS.find((t) => t.name === 'redis')!;
  let bus: EventBus;
  let host: RunningHost;
  let gw: string;
  let early: string;

  beforeAll(async () => {
    // Written before any worker ever ran: the group is created at 0, so it is not lost (the seed lost it).
    early = seedXadd(topics.seedRequests, ['user_id', 'ann', 'book_ids', 'b1,b2']);
    bus = await redis.bus();
    const log = pino({ level: 'silent' });
    const deps: PlatformDeps = { bus, registry: createRegistry({ kind: 'memory' }, log), log, clock: () => new Date() };
    const config = lendingConfig();
    const components = [
      await lendingCommandService(deps, { identity: id('lending'), topics }),
      await lendingViewService(deps, { identity: id('lendingview'), topics, group: uniqueName('view'), config }),
      await lendingWorkerService(deps, {
        identity: id(uniqueName('worker')),
        topics,
        config,
        bus: { kind: 'redis', url: infra().redisUrl },
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
  afterAll(async () => {
    await host?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${gw}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const decided = (requestId: string) =>
    waitFor(
      async () => {
        const r = await get(`/lending/requests/${requestId}`);
        return r.status === 200 && r.body.status !== 'pending' ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: `request ${requestId} to be decided` },
    );

  it('decides a seed request like a gateway request, readable by its entry id', async () => {
    const outcome = await decided(seedRequestId('request', early));
    expect(outcome).toMatchObject({ requestId: `request-${early}`, kind: 'request', user: 'ann', status: 'accepted' });
    const ann = await get('/lending/users/ann');
    expect(ann.body).toMatchObject({ user: 'ann', count: 2 });
    expect((ann.body.books as { book: string }[]).map((b) => b.book)).toEqual(['b1', 'b2']);

    // The same rules: b1 is held by ann, so bob is denied; a seed return gives b1 back.
    const denied = seedXadd(topics.seedRequests, ['user_id', 'bob', 'book_ids', 'b1']);
    expect(await decided(seedRequestId('request', denied))).toMatchObject({
      status: 'denied',
      outcome: { data: { cause: 'none of the requested books is available' } },
    });
    const returned = seedXadd(topics.seedReturns, ['user_id', 'ann', 'book_ids', 'b1,zzz']);
    expect(await decided(seedRequestId('return', returned))).toMatchObject({
      kind: 'return',
      outcome: { type: 'books-returned', data: { books: ['b1'], ignored: ['zzz'] } },
    });
    expect((await get('/lending/users/ann')).body).toMatchObject({ count: 1 });
  });

  it('dead-letters a malformed seed entry with the reason, and goes on', async () => {
    const dead: { type: string; data: { reason: string; source: { offset: string } } }[] = [];
    const dlq = await bus.subscribe({
      topics: [deadLetterTopic(topics.seedRequests)],
      group: uniqueName('dlq'),
      from: 'beginning',
      handler: (e) => void dead.push(e as unknown as (typeof dead)[number]),
    });
    try {
      const noUser = seedXadd(topics.seedRequests, ['book_ids', 'b7']);
      const noBooks = seedXadd(topics.seedRequests, ['user_id', 'carl']);
      const next = seedXadd(topics.seedRequests, ['user_id', 'carl', 'book_ids', 'b8']);
      expect(await decided(seedRequestId('request', next))).toMatchObject({ status: 'accepted' });
      await waitFor(() => dead.length >= 2, { what: 'two dead letters' });
      expect(dead.map((d) => d.type)).toEqual([DEAD_LETTER_TYPE, DEAD_LETTER_TYPE]);
      expect(dead.map((d) => d.data.source.offset)).toEqual([noUser, noBooks]);
      expect(dead[0]!.data.reason).toMatch(/user is required/);
      expect(dead[1]!.data.reason).toMatch(/books is required/);
      expect((await get(`/lending/requests/${seedRequestId('request', noUser)}`)).status).toBe(404);
    } finally {
      await dlq.close();
    }
  });
});
