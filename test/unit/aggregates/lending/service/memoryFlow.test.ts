import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEventBus, type EventBus } from '../../../../../eventlib/index.js';
import { createRegistry } from '../../../../../discolib/index.js';
import { buildServer, type RestApp } from '../../../../../restlib/index.js';
import { lendingConfig } from '../../../../../aggregates/lending/domain/index.js';
import { lendingCommandService } from '../../../../../aggregates/lending/service/commandService.js';
import { describeOutcome } from '../../../../../aggregates/lending/service/outcomeText.js';
import { lendingTopics } from '../../../../../aggregates/lending/wire.js';
import { startLogWorker } from '../../../../../aggregates/lending/worker/logWorker.js';
import type { LendingWorker } from '../../../../../aggregates/lending/worker/types.js';
import { lendingViewService } from '../../../../../views/lending/lendingViewService.js';
import type { PlatformDeps, ServiceComponent } from '../../../../../platform/index.js';
import { waitFor } from '../../../../helpers/wait.js';

const log = pino({ level: 'silent' });
const topics = lendingTopics('');
const config = lendingConfig({ limit: 2 });

describe('lending on the in-memory bus (the embedded platform)', () => {
  let bus: EventBus;
  let deps: PlatformDeps;
  let worker: LendingWorker;
  let commandApp: RestApp;
  let viewApp: RestApp;
  const components: ServiceComponent[] = [];

  const appOf = async (component: ServiceComponent) => {
    components.push(component);
    const app = await buildServer({ name: component.identity.name, logger: log });
    await component.routes(app);
    return app;
  };

  beforeEach(async () => {
    bus = await createEventBus({ kind: 'memory' });
    deps = {
      bus,
      registry: createRegistry({ kind: 'memory' }, log),
      log,
      clock: () => new Date('2026-01-01T10:00:00Z'),
    };
    commandApp = await appOf(
      await lendingCommandService(deps, { identity: { name: 'lending', id: 'l1', tags: [] }, topics }),
    );
    viewApp = await appOf(
      await lendingViewService(deps, {
        identity: { name: 'lendingview', id: 'v1', tags: [] },
        topics,
        group: 'v',
        config,
      }),
    );
    worker = await startLogWorker(bus, { name: 'w1', topics, config, clock: deps.clock, log });
  });
  afterEach(async () => {
    await worker.close();
    await Promise.all(components.splice(0).map((c) => c.stop()));
    await Promise.all([commandApp.close(), viewApp.close()]);
    await bus.close();
  });

  const outcomeOf = (requestId: string) =>
    waitFor(
      async () => {
        const res = await viewApp.inject({ method: 'GET', url: `/requests/${requestId}` });
        const body = res.json<{ status: string; outcome?: Parameters<typeof describeOutcome>[0] }>();
        return res.statusCode === 200 && body.status !== 'pending' ? body : undefined;
      },
      { what: `the outcome of ${requestId}` },
    );

  it('given a POST /requests, then 202 with a request id, and the worker decides it (due date from the clock)', async () => {
    const res = await commandApp.inject({ method: 'POST', url: '/requests', payload: { user: 'ann', books: ['a'] } });
    expect(res.statusCode).toBe(202);
    expect(res.headers['bookshelf-position']).toMatch(/^lending-commands\//);
    const { requestId } = res.json<{ requestId: string }>();
    const decided = await outcomeOf(requestId);
    expect(decided.status).toBe('accepted');
    expect(describeOutcome(decided.outcome!)).toBe('accepted: a (due 2026-01-15); ann holds 1');
    const user = await viewApp.inject({ method: 'GET', url: '/users/ann' });
    expect(user.json()).toEqual({ user: 'ann', books: [{ book: 'a', due: '2026-01-15' }], count: 1 });
  });

  it('given 30 concurrent requests for one book, then exactly one is accepted', async () => {
    const ids = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await commandApp.inject({
          method: 'POST',
          url: '/requests',
          payload: { user: `u${i}`, books: ['one'] },
        });
        return res.json<{ requestId: string }>().requestId;
      }),
    );
    const outcomes = await Promise.all(ids.map(outcomeOf));
    expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(1);
    expect(worker.stats().decided).toBe(30);
  });

  it('given bad input, then 400 problem+json naming the field, and nothing is queued', async () => {
    const res = await commandApp.inject({ method: 'POST', url: '/returns', payload: { user: 'ann', books: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json<{ errors: { path: string }[] }>().errors[0]!.path).toMatch(/books/);
    const queued = await viewApp.inject({ method: 'GET', url: '/users/ann' });
    expect(queued.json()).toMatchObject({ count: 0 });
    expect(worker.stats()).toMatchObject({ decided: 0, deadLettered: 0 });
  });
});
