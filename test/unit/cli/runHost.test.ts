import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../discolib/index.js';
import { createEventBus } from '../../../eventlib/index.js';
import { runHost } from '../../../cli/host/runHost.js';
import { createLogger } from '../../../restlib/index.js';
import type { PlatformDeps, ServiceComponent } from '../../../platform/index.js';
import { waitFor } from '../../helpers/wait.js';

/** The in-memory bus and registry a host needs, logging to `log`. */
const memoryDeps = async (log: Logger): Promise<PlatformDeps> => ({
  bus: await createEventBus({ kind: 'memory' }),
  registry: createRegistry({ kind: 'memory' }, log),
  log,
  clock: () => new Date(),
});

describe('runHost', () => {
  it('stops every service and exits 1 when a component fails for good', async () => {
    const log = pino({ level: 'silent' });
    const deps = await memoryDeps(log);
    let fail: (err: Error) => void = () => undefined;
    const stopped: string[] = [];
    const component = (name: string, failed?: Promise<never>): ServiceComponent => ({
      identity: { name, id: `${name}-1`, tags: [] },
      description: name,
      routes: () => undefined,
      readiness: () => ({ ready: true, checks: {} }),
      stop: async () => void stopped.push(name),
      ...(failed ? { failed } : {}),
    });
    const exits: number[] = [];
    const host = await runHost(
      [
        { component: component('a', new Promise<never>((_r, reject) => (fail = reject))), host: '127.0.0.1', port: 0 },
        { component: component('b'), host: '127.0.0.1', port: 0 },
      ],
      deps,
      { signals: false, exit: (code) => void exits.push(code) },
    );
    expect(host.urls.size).toBe(2);
    fail(new Error('the log was reset'));
    await waitFor(() => exits.length > 0, { what: 'the exit' });
    expect(exits).toEqual([1]);
    expect(stopped.sort()).toEqual(['a', 'b']);
  });

  it('a failed start stops every service, those after the failing one too, and closes the bus and registry', async () => {
    const log = pino({ level: 'silent' });
    const deps = await memoryDeps(log);
    const closed: string[] = [];
    const close = (what: string, fn: () => Promise<void>) => async () => {
      closed.push(what);
      await fn();
    };
    deps.bus.close = close('bus', deps.bus.close.bind(deps.bus));
    deps.registry.close = close('registry', deps.registry.close.bind(deps.registry));
    const stopped: string[] = [];
    const component = (name: string, routes: ServiceComponent['routes'] = () => undefined): ServiceComponent => ({
      identity: { name, id: `${name}-1`, tags: [] },
      description: name,
      routes,
      readiness: () => ({ ready: true, checks: {} }),
      // A component created before the host starts may hold a lock already: only its stop() frees it.
      stop: async () => void stopped.push(name),
    });
    const started = runHost(
      [
        { component: component('first'), host: '127.0.0.1', port: 0 },
        {
          component: component('broken', () => {
            throw new Error('routes failed');
          }),
          host: '127.0.0.1',
          port: 0,
        },
        { component: component('after'), host: '127.0.0.1', port: 0 },
      ],
      deps,
      { signals: false, exit: () => undefined },
    );
    await expect(started).rejects.toThrow('routes failed');
    expect(stopped.sort()).toEqual(['after', 'broken', 'first']);
    expect(closed.sort()).toEqual(['bus', 'registry']);
  });

  it('listens on every interface and registers the advertised address (a container on --addr 0.0.0.0)', async () => {
    const log = pino({ level: 'silent' });
    const deps = await memoryDeps(log);
    const component: ServiceComponent = {
      identity: { name: 'wide', id: 'wide-1', tags: [] },
      description: 'wide',
      routes: () => undefined,
      readiness: () => ({ ready: true, checks: {} }),
      stop: async () => undefined,
    };
    const host = await runHost([{ component, host: '0.0.0.0', port: 0, advertise: '127.0.0.1' }], deps, {
      signals: false,
    });
    try {
      expect(host.urls.get('wide')).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      await waitFor(async () => (await deps.registry.discover({ name: 'wide' })).length === 1, {
        what: 'the registration',
      });
      const [instance] = await deps.registry.discover({ name: 'wide' });
      expect(instance).toMatchObject({ address: '127.0.0.1', port: Number(new URL(host.urls.get('wide')!).port) });
    } finally {
      await host.stop();
    }
  });

  it('writes log lines without a key twice (the service name, the instance, the registry fields)', async () => {
    const lines: string[] = [];
    const log = createLogger({
      name: 'bookshelf',
      level: 'debug',
      stream: { write: (l: string) => void lines.push(l) },
    });
    const deps = await memoryDeps(log);
    const component: ServiceComponent = {
      identity: { name: 'echo', id: 'echo-1', tags: [] },
      description: 'echo',
      routes: (app) => void app.get('/echo', () => ({ ok: true })),
      readiness: () => ({ ready: true, checks: {} }),
      stop: async () => undefined,
    };
    const host = await runHost([{ component, host: '127.0.0.1', port: 0 }], deps, { signals: false });
    await fetch(`${host.urls.get('echo')}/echo`);
    await host.stop();
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      // JSON.parse keeps the last of two equal keys; count them in the text instead.
      const keys = topLevelKeys(line);
      expect(new Set(keys).size, line).toBe(keys.length);
    }
    expect(lines.some((l) => l.includes('"instance":"echo-1"'))).toBe(true);
  });

  it("documents each service with the package's version (OpenAPI info.version)", async () => {
    const log = pino({ level: 'silent' });
    const deps = await memoryDeps(log);
    const component: ServiceComponent = {
      identity: { name: 'docs', id: 'docs-1', tags: [] },
      description: 'docs',
      routes: () => undefined,
      readiness: () => ({ ready: true, checks: {} }),
      stop: async () => undefined,
    };
    const host = await runHost([{ component, host: '127.0.0.1', port: 0 }], deps, { signals: false });
    const doc = (await (await fetch(`${host.urls.get('docs')}/docs/json`)).json()) as { info: { version: string } };
    await host.stop();
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(doc.info.version).toBe(pkg.version);
    expect(pkg.version).not.toBe('0.0.0');
  });
});

/** The keys of a JSON object line at depth 0, in order (duplicates kept, unlike JSON.parse). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 1 && line[i + 1] === ':') keys.push(line.slice(start + 1, i));
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      start = i;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}
