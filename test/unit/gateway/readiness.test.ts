import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type ServiceRegistry } from '../../../discolib/index.js';
import { startReadyServer, type ReadyServer } from '../../../discolib/testing/index.js';
import { createEventBus } from '../../../eventlib/index.js';
import { buildServer, type RestApp } from '../../../restlib/index.js';
import type { PlatformDeps, ServiceComponent } from '../../../platform/index.js';
import { gatewayService, type GatewayModule } from '../../../gateway/service.js';
import { upstreamGate } from '../../../gateway/readiness.js';
import { untilReady } from '../../../cli/host/startPlatform.js';
import { waitFor } from '../../helpers/wait.js';

const log = pino({ level: 'silent' });

/** A domain of two services, `alpha` and `beta`, with no routes of its own. */
const TWO: GatewayModule = {
  domain: 'two',
  summary: 'two upstreams',
  upstreams: ['alpha', 'beta'],
  entries: [],
  routes: () => undefined,
};

/**
 * Issue 21, point 10: the gateway's /ready turns 200 only once every upstream it routes to has a passing instance
 * in the registry (the in-memory registry probes each instance's /ready, as Consul does).
 */
describe('gateway readiness: every upstream passing', () => {
  const closing: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  const setUp = async () => {
    const registry = createRegistry({ kind: 'memory' }, log);
    const deps: PlatformDeps = {
      bus: await createEventBus({ kind: 'memory' }),
      registry,
      log,
      clock: () => new Date(),
    };
    const gateway: ServiceComponent = gatewayService(deps, {
      identity: { name: 'gateway', id: 'gw1', tags: [] },
      modules: [TWO],
    });
    const app = await buildServer({ name: 'gateway', logger: log, readiness: () => gateway.readiness() });
    await gateway.routes(app);
    closing.push(
      () => registry.close(),
      () => deps.bus.close(),
      () => gateway.stop(),
      () => app.close(),
    );
    return { registry, app };
  };
  const serve = async (registry: ServiceRegistry, name: string, ready: boolean): Promise<ReadyServer> => {
    const server = await startReadyServer(ready);
    closing.push(() => server.close());
    await registry.register({
      name,
      id: `${name}1`,
      address: server.address,
      port: server.port,
      tags: [],
      check: { interval: '50ms' },
    });
    return server;
  };
  const ready = async (app: RestApp) => {
    const res = await app.inject({ url: '/ready' });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };

  it('is not ready while an upstream has no passing instance, and the 503 names the missing ones', async () => {
    const { registry, app } = await setUp();
    expect(await ready(app)).toMatchObject({
      status: 503,
      body: {
        code: 'REST_ERR_UNAVAILABLE',
        detail: 'not ready: no passing instance of alpha, beta',
        checks: { waitingFor: ['alpha', 'beta'], upstreams: { alpha: 0, beta: 0 } },
      },
    });

    await serve(registry, 'alpha', true);
    // beta is registered but its /ready answers 503: critical, so not passing.
    const beta = await serve(registry, 'beta', false);
    await waitFor(async () => (await registry.discover({ name: 'alpha' })).length === 1, { what: 'alpha passing' });
    await waitFor(() => beta.probes > 1, { what: 'beta probed' });
    expect(await ready(app)).toMatchObject({
      status: 503,
      body: { detail: 'not ready: no passing instance of beta', checks: { waitingFor: ['beta'] } },
    });
  });

  it('is ready once every upstream passes, and stays ready when one goes away later', async () => {
    const { registry, app } = await setUp();
    await serve(registry, 'alpha', true);
    const beta = await serve(registry, 'beta', false);
    await waitFor(async () => (await registry.discover({ name: 'alpha' })).length === 1, { what: 'alpha passing' });
    expect((await ready(app)).status).toBe(503);

    beta.setReady(true);
    const answer = await waitFor(
      async () => {
        const r = await ready(app);
        return r.status === 200 ? r : undefined;
      },
      { what: 'the gateway ready' },
    );
    expect(answer.body).toMatchObject({ status: 'ready' });

    // Started is started: a domain whose service goes away answers 503 on its own routes, and the gateway (every
    // other domain with it) stays in discovery.
    await registry.deregister('alpha1');
    expect((await ready(app)).status).toBe(200);
  });

  it('bookshelf up waits for it, and gives up after its timeout naming the upstreams that never passed', async () => {
    const registry = createRegistry({ kind: 'memory', health: 'passing' }, log);
    const deps: PlatformDeps = {
      bus: await createEventBus({ kind: 'memory' }),
      registry,
      log,
      clock: () => new Date(),
    };
    const gateway = gatewayService(deps, { identity: { name: 'gateway', id: 'gw1', tags: [] }, modules: [TWO] });
    closing.push(
      () => registry.close(),
      () => deps.bus.close(),
      () => gateway.stop(),
    );
    await registry.register({ name: 'alpha', id: 'alpha1', address: '127.0.0.1', port: 1, tags: [] });
    const err = await untilReady(gateway, 300, 'bookshelf up').then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('REST_ERR_UNAVAILABLE');
    expect(err?.message).toMatch(
      /^bookshelf up: the gateway is not ready after 0\.3 s: no passing instance of beta \(/,
    );
    const waiting = untilReady(gateway, 10_000, 'bookshelf up');
    await registry.register({ name: 'beta', id: 'beta1', address: '127.0.0.1', port: 2, tags: [] });
    await expect(waiting).resolves.toBeUndefined();
  });

  it('the gate: opens when all pass at once, stops watching then; no upstream means open at once', async () => {
    const registry = createRegistry({ kind: 'memory', health: 'passing' }, log);
    closing.push(() => registry.close());
    const gate = upstreamGate(registry, ['b', 'a', 'b'], log);
    closing.push(() => gate.close());
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.isOpen()).toBe(false);
    expect(gate.missing()).toEqual(['a', 'b']);

    await registry.register({ name: 'a', id: 'a1', address: '127.0.0.1', port: 1, tags: [] });
    await registry.deregister('a1');
    await registry.register({ name: 'b', id: 'b1', address: '127.0.0.1', port: 2, tags: [] });
    await new Promise((resolve) => setImmediate(resolve));
    // a passed once, but not at the same moment as b.
    expect(gate.missing()).toEqual(['a']);

    await registry.register({ name: 'a', id: 'a1', address: '127.0.0.1', port: 1, tags: [] });
    await gate.opened;
    expect(gate.isOpen()).toBe(true);
    expect(gate.missing()).toEqual([]);

    const none = upstreamGate(registry, [], log);
    expect(none.isOpen()).toBe(true);
    none.close();
  });
});
