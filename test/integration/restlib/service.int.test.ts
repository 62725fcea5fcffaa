import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Consul from 'consul';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRegistry, resolveSrv, type ServiceRegistry } from '../../../discolib/index.js';
import {
  buildServer,
  createServiceClient,
  createServiceLifecycle,
  type RestApp,
  type ServiceLifecycle,
} from '../../../restlib/index.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';
import { infra } from '../../setup/infra.js';

const exec = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));

describe('restlib + discolib against the real Consul agent', () => {
  const { consulAddr, consulDnsPort } = infra();
  const [host, port] = consulAddr.split(':');
  const consul = new Consul({ host: host!, port: Number(port) });
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => consul.destroy());

  const agentServices = async () => (await consul.agent.service.list()) as Record<string, { Port: number }>;
  const digSrv = async (name: string) =>
    (
      await exec('dig', ['@127.0.0.1', '-p', String(consulDnsPort), `${name}.service.consul`, 'SRV', '+short'])
    ).stdout.trim();
  const digPorts = async (name: string) =>
    (await digSrv(name))
      .split('\n')
      .filter(Boolean)
      .map((line) => Number(line.split(/\s+/)[2]))
      .sort();

  /** A restlib service with a switchable readiness, registered through the lifecycle. */
  const startService = async (registry: ServiceRegistry, name: string, id: string, tags: string[], interval = '1s') => {
    const state = { ready: false };
    const app: RestApp = await buildServer({
      name,
      logLevel: 'silent',
      readiness: () => ({ ready: state.ready, checks: { fixture: state.ready } }),
    });
    app.get('/whoami', async () => ({ id }));
    const life: ServiceLifecycle = createServiceLifecycle({
      app,
      host: '127.0.0.1',
      port: 0,
      registry,
      registration: { name, id, tags, meta: { role: 'test' }, check: { interval, timeout: '1s' } },
    });
    const started = await life.start();
    cleanups.push(() => life.stop());
    return { app, life, state, port: started.port };
  };

  const consulRegistry = () => {
    const registry = createRegistry({ kind: 'consul', addr: consulAddr, watchWait: '5s' });
    cleanups.push(() => registry.close());
    return registry;
  };

  it('registers, passes once /ready answers, is found by name, by a subset of tags, and through DNS SRV', async () => {
    const registry = consulRegistry();
    const name = uniqueName('lastread');
    const svc = await startService(registry, name, `${name}-1`, ['books', 'last', 'v1']);
    expect((await agentServices())[`${name}-1`]?.Port).toBe(svc.port);
    expect(await registry.discover({ name })).toEqual([]);

    svc.state.ready = true;
    const [found] = await waitFor(
      async () => {
        const list = await registry.discover({ name });
        return list.length === 1 ? list : undefined;
      },
      { what: 'the instance to pass its /ready check' },
    );
    expect(found).toEqual({
      id: `${name}-1`,
      name,
      address: '127.0.0.1',
      port: svc.port,
      tags: ['books', 'last', 'v1'],
      meta: { role: 'test' },
    });
    expect((await registry.discover({ name, tags: ['books', 'last'] })).map((i) => i.id)).toEqual([`${name}-1`]);
    expect(await registry.discover({ name, tags: ['books', 'list'] })).toEqual([]);

    expect(
      await waitFor(async () => (await digPorts(name)).length === 1 && digPorts(name), { what: 'dig SRV' }),
    ).toEqual([svc.port]);
    const srv = await resolveSrv(name, { port: consulDnsPort });
    expect(srv.map((r) => r.port)).toEqual([svc.port]);
    expect((await resolveSrv(name, { port: consulDnsPort, tags: ['books', 'last'] })).map((r) => r.port)).toEqual([
      svc.port,
    ]);
    expect(await resolveSrv(name, { port: consulDnsPort, tags: ['books', 'nope'] })).toEqual([]);
  });

  it('an instance whose /ready fails drops out of discovery and DNS, and comes back when healthy', async () => {
    const registry = consulRegistry();
    const name = uniqueName('booklist');
    const [a, b] = [
      await startService(registry, name, `${name}-a`, ['books']),
      await startService(registry, name, `${name}-b`, ['books']),
    ];
    a.state.ready = b.state.ready = true;
    await waitFor(async () => (await digPorts(name)).length === 2, { what: 'both instances in DNS' });

    b.state.ready = false;
    await waitFor(async () => (await registry.discover({ name })).length === 1, { what: 'b to drop out of discovery' });
    expect((await registry.discover({ name, tags: ['books'] })).map((i) => i.id)).toEqual([`${name}-a`]);
    expect(
      await waitFor(async () => (await digPorts(name)).length === 1 && digPorts(name), {
        what: 'b to drop out of DNS',
      }),
    ).toEqual([a.port]);

    b.state.ready = true;
    await waitFor(async () => (await registry.discover({ name })).length === 2, {
      what: 'b to come back in discovery',
    });
    expect(
      await waitFor(async () => (await digPorts(name)).length === 2 && digPorts(name), {
        what: 'b to come back in DNS',
      }),
    ).toEqual([a.port, b.port].sort());
  });

  it('the HTTP client fails over from a dead instance to a live one', async () => {
    const registry = consulRegistry();
    const name = uniqueName('gateway-target');
    // A long check interval keeps the dead instance "passing" in Consul while the client talks to it.
    const [dead, live] = [
      await startService(registry, name, `${name}-dead`, [], '5s'),
      await startService(registry, name, `${name}-live`, [], '5s'),
    ];
    dead.state.ready = live.state.ready = true;
    await waitFor(async () => (await registry.discover({ name })).length === 2, {
      what: 'both instances passing',
      timeoutMs: 30_000,
    });
    const client = createServiceClient({ registry, service: name, timeoutMs: 2000 });
    cleanups.push(() => client.close());
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await client.get('/whoami')).json<{ id: string }>().id);
    expect(seen).toEqual(new Set([`${name}-dead`, `${name}-live`]));

    await dead.app.close(); // the process "dies": no deregistration, Consul still says passing
    expect((await registry.discover({ name })).map((i) => i.id)).toContain(`${name}-dead`);
    for (let i = 0; i < 4; i++) {
      const res = await client.get('/whoami');
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ id: `${name}-live` });
    }
    const posted = await client.post('/nowhere', { x: 1 });
    expect(posted.status).toBe(404);
    expect(posted.instance.id).toBe(`${name}-live`);
  });

  describe('a real child process deregisters on signals', () => {
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });

    const spawnFixture = (name: string, id: string, extra: string[] = []) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          fixture,
          '--consul',
          consulAddr,
          '--name',
          name,
          '--id',
          id,
          '--tags',
          'books',
          'fixture',
          '--port',
          '0',
          ...extra,
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      const events: { event: string; [k: string]: unknown }[] = [];
      let stderr = '';
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as { event: string });
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      const event = async (name: string, what: string) => {
        const early = exitedEarly(exited, () => stderr);
        try {
          return await Promise.race([
            waitFor(() => events.find((e) => e.event === name), { what, timeoutMs: 30_000 }),
            early.promise,
          ]);
        } finally {
          early.cancel();
        }
      };
      return { child, events, exited, event, stderr: () => stderr };
    };

    it.each(['SIGTERM', 'SIGINT'] as const)(
      '%s: not ready -> deregister -> consumers -> producers -> HTTP, then exit 0',
      async (signal) => {
        const name = uniqueName('fixture');
        const id = `${name}-1`;
        const proc = spawnFixture(name, id);
        const started = await proc.event('started', 'the fixture to start');
        const registry = consulRegistry();
        await waitFor(async () => (await registry.discover({ name, tags: ['fixture'] })).length === 1, {
          what: 'the fixture to pass its check',
        });
        expect((await agentServices())[id]?.Port).toBe(started.port);

        proc.child.kill(signal);
        const { code } = await proc.exited;
        expect(code).toBe(0);
        expect(proc.events.map((e) => e.event)).toEqual([
          'started',
          'deregistered',
          'stop-consumers',
          'flush-producers',
          'http-closed',
        ]);
        expect(proc.events[1]).toMatchObject({ id, readyStatus: 503 });
        // Gone at once: without the deregistration Consul would keep it (critical) for a minute.
        expect(Object.keys(await agentServices())).not.toContain(id);
        expect(await registry.discover({ name })).toEqual([]);
      },
    );

    it('a second signal during a hanging shutdown forces exit 1', async () => {
      const name = uniqueName('fixture');
      const proc = spawnFixture(name, `${name}-1`, ['--hang']);
      await proc.event('started', 'the fixture to start');
      proc.child.kill('SIGTERM');
      await proc.event('stop-consumers', 'the shutdown to reach the consumers');
      proc.child.kill('SIGINT');
      const { code } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.events.map((e) => e.event)).toEqual(['started', 'deregistered', 'stop-consumers']);
      expect(Object.keys(await agentServices())).not.toContain(`${name}-1`);
    });

    it('bad flags: one clear line on stderr and a non-zero exit', async () => {
      const proc = spawnFixture('fixture', 'x', ['--port', 'eighty']);
      const { code } = await proc.exited;
      expect(code).toBe(2);
      expect(proc.stderr().trim()).toBe(
        'fixture: --port must be an integer from 0 to 65535 (got "eighty" from --port)',
      );
    });
  });
});

/** Rejects when the child exits before the awaited event (with its stderr), until cancelled. */
function exitedEarly(exited: Promise<{ code: number | null }>, stderr: () => string) {
  let cancelled = false;
  const promise = exited.then(({ code }) => {
    if (!cancelled) throw new Error(`the fixture exited early with code ${code}: ${stderr()}`);
    return new Promise<never>(() => undefined);
  });
  return { promise, cancel: () => void (cancelled = true) };
}
