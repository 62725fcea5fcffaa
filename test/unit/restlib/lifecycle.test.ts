import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type ServiceRegistry } from '../../../discolib/index.js';
import {
  buildServer,
  createServiceLifecycle,
  runService,
  type RestApp,
  type RunningService,
} from '../../../restlib/index.js';
import { waitFor } from '../../helpers/wait.js';

/** The memory registry, recording when deregister runs and what /ready answered at that moment. */
function recordingRegistry(app: () => RestApp, order: string[]): ServiceRegistry {
  const inner = createRegistry({ kind: 'memory', health: 'passing' });
  return {
    register: (r) => inner.register(r),
    deregister: async (id) => {
      const ready = await app().inject({ method: 'GET', url: '/ready' });
      order.push(`deregister (ready=${ready.statusCode})`);
      await inner.deregister(id);
    },
    discover: (q) => inner.discover(q),
    watch: (n, cb) => inner.watch(n, cb),
    close: () => inner.close(),
  };
}

describe('restlib lifecycle', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const setup = async () => {
    const order: string[] = [];
    const app = await buildServer({ name: 'svc', logLevel: 'silent' });
    const registry = recordingRegistry(() => app, order);
    cleanups.push(
      () => registry.close(),
      () => app.close(),
    );
    app.addHook('onClose', async () => void order.push('close-http'));
    const hook = (name: string) => async () => void order.push(name);
    const opts = {
      app,
      host: '127.0.0.1',
      port: 0,
      registry,
      registration: { name: 'svc', id: 'svc-1', tags: ['t'] },
      onShutdown: {
        stopConsumers: [hook('stop-consumer-a'), hook('stop-consumer-b')],
        flushProducers: [hook('flush-producer')],
        afterHttp: [hook('after-http')],
      },
    };
    return { app, registry, order, opts };
  };

  it('start listens then registers the bound port; start is idempotent', async () => {
    const { registry, opts } = await setup();
    const life = createServiceLifecycle(opts);
    const [a, b] = await Promise.all([life.start(), life.start()]);
    expect(a).toBe(b);
    expect(a.port).toBeGreaterThan(0);
    const [instance] = await registry.discover({ name: 'svc' });
    expect(instance).toMatchObject({ id: 'svc-1', address: '127.0.0.1', port: a.port, tags: ['t'] });
    const res = await fetch(`${a.url}/ready`);
    expect(res.status).toBe(200);
    await life.stop();
  });

  it('stop runs the ordered shutdown once: not ready -> deregister -> consumers -> producers -> HTTP -> after', async () => {
    const { registry, order, opts } = await setup();
    const life = createServiceLifecycle(opts);
    await life.start();
    const [r1, r2] = await Promise.all([life.stop('test'), life.stop('again')]);
    expect(r1).toBe(r2);
    expect(await life.stop()).toBe(r1);
    expect(order).toEqual([
      'deregister (ready=503)',
      'stop-consumer-a',
      'stop-consumer-b',
      'flush-producer',
      'close-http',
      'after-http',
    ]);
    expect(r1.ok).toBe(true);
    expect(r1.steps.map((s) => s.step)).toEqual([
      'not-ready',
      'deregister',
      'stop-consumers',
      'flush-producers',
      'close-http',
      'after-http',
      'flush-logs',
    ]);
    expect(await registry.discover({ name: 'svc' })).toEqual([]);
    await expect(life.start()).resolves.toBeDefined(); // the start promise is shared; no second listen
  });

  it('a failing hook is reported and the shutdown goes on', async () => {
    const { order, opts } = await setup();
    const life = createServiceLifecycle({
      ...opts,
      onShutdown: {
        ...opts.onShutdown,
        stopConsumers: [
          () => Promise.reject(new Error('consumer stuck')),
          async () => void order.push('next consumer'),
        ],
      },
    });
    await life.start();
    const report = await life.stop();
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.step === 'stop-consumers')).toEqual({
      step: 'stop-consumers',
      ok: false,
      error: 'consumer stuck',
    });
    expect(order).toContain('next consumer');
    expect(order).toContain('close-http');
  });

  it('a registration that fails closes the server and rejects start', async () => {
    const { app, opts } = await setup();
    const registry = createRegistry({ kind: 'memory' });
    await registry.close();
    const life = createServiceLifecycle({ ...opts, registry });
    await expect(life.start()).rejects.toMatchObject({ code: 'DISCO_ERR_CLOSED' });
    expect(app.server.listening).toBe(false);
  });

  it('rejects bad options: registry without registration, wildcard host without an address', async () => {
    const { opts } = await setup();
    expect(() => createServiceLifecycle({ ...opts, registration: undefined })).toThrow(
      /registry and registration go together/,
    );
    expect(() => createServiceLifecycle({ ...opts, host: '0.0.0.0' })).toThrow(
      /registration.address is required when listening on 0.0.0.0/,
    );
  });

  describe('runService signals', () => {
    let running: RunningService | undefined;
    afterEach(() => running?.uninstallSignals());

    it('the first signal runs the shutdown and exits 0', async () => {
      const { order, opts } = await setup();
      const exits: number[] = [];
      running = await runService({ ...opts, signals: ['SIGUSR2'], exit: (c) => void exits.push(c) });
      process.emit('SIGUSR2', 'SIGUSR2');
      await waitFor(() => exits.length > 0, { what: 'exit' });
      expect(exits).toEqual([0]);
      expect(order.at(-1)).toBe('after-http');
      expect(process.listenerCount('SIGUSR2')).toBe(0);
    });

    it('a second signal forces exit(1) while the shutdown hangs', async () => {
      const { opts } = await setup();
      const exits: number[] = [];
      let release!: () => void;
      const hung = new Promise<void>((r) => (release = r));
      running = await runService({
        ...opts,
        signals: ['SIGUSR2'],
        exit: (c) => void exits.push(c),
        onShutdown: { stopConsumers: [() => hung] },
      });
      process.emit('SIGUSR2', 'SIGUSR2');
      await new Promise((r) => setImmediate(r));
      expect(exits).toEqual([]);
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(exits).toEqual([1]);
      release();
      await waitFor(() => exits.length === 2, { what: 'the shutdown to finish' });
    });

    it('a shutdown longer than graceMs exits 1', async () => {
      const { opts } = await setup();
      const exits: number[] = [];
      let release!: () => void;
      const hung = new Promise<void>((r) => (release = r));
      running = await runService({
        ...opts,
        graceMs: 50,
        signals: ['SIGUSR2'],
        exit: (c) => void exits.push(c),
        onShutdown: { stopConsumers: [() => hung] },
      });
      process.emit('SIGUSR2', 'SIGUSR2');
      await waitFor(() => exits.length > 0, { what: 'the grace timeout' });
      expect(exits).toEqual([1]);
      release();
    });
  });
});
