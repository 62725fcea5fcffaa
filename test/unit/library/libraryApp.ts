import { pino } from 'pino';
import { createEventBus } from '../../../eventlib/index.js';
import { createRegistry } from '../../../discolib/index.js';
import { buildServer, type RestApp } from '../../../restlib/index.js';
import { instrumentBus, loadPlatformConfig } from '../../../platform/index.js';
import type { PlatformDeps } from '../../../platform/index.js';
import { runHost, type HostedService, type RunningHost } from '../../../cli/host/runHost.js';
import { LENDING_SERVICES } from '../../../cli/services/lending.js';
import { LIBRARY_SERVICES } from '../../../cli/services/library.js';
import { gatewaySecurity, gatewayService, type GatewaySecurity } from '../../../gateway/service.js';
import { LENDING_GATEWAY } from '../../../gateway/lendingRoutes.js';
import { LIBRARY_GATEWAY } from '../../../gateway/library/routes.js';

export interface GatewayOptions {
  security?: GatewaySecurity;
  clock?: () => Date;
  logStream?: { write(line: string): void };
}

export interface LibraryApp {
  deps: PlatformDeps;
  /** A gateway app for `inject` (more can be made with `gateway()`, e.g. a second instance). */
  app: RestApp;
  /**
   * Another gateway instance over the same services: by default with the first one's security (its session key
   * too, as gateway instances given the same --session-key-file), or with `security`; `clock` is the gateway's
   * (the login limit's), `logStream` where its log goes.
   */
  gateway(opts?: GatewayOptions): Promise<RestApp>;
  close(): Promise<void>;
}

/**
 * The lending and library services on the in-memory bus and registry, hosted on free ports (the gateway reaches
 * them over HTTP as in production), and gateway apps built with restlib for `app.inject`.
 */
export async function startLibraryApp(): Promise<LibraryApp> {
  const log = pino({ level: 'silent' });
  const deps: PlatformDeps = {
    bus: instrumentBus(await createEventBus({ kind: 'memory' })),
    registry: createRegistry({ kind: 'memory' }, log),
    log,
    clock: () => new Date('2026-03-01T12:00:00Z'),
  };
  const hosted: HostedService[] = [];
  for (const entry of [...LENDING_SERVICES, ...LIBRARY_SERVICES]) {
    const defaults = loadPlatformConfig(entry.spec, { argv: [], env: {} });
    if (defaults.kind !== 'config') throw new Error(`bad defaults for ${entry.spec.defaults.name}`);
    hosted.push({ component: await entry.create(deps, { ...defaults.config, port: 0 }), host: '127.0.0.1', port: 0 });
  }
  const host: RunningHost = await runHost(hosted, deps, { signals: false });
  const apps: RestApp[] = [];
  const stops: (() => Promise<void>)[] = [];
  const shared = gatewaySecurity();
  const gateway = async (opts: GatewayOptions = {}) => {
    const component = gatewayService(opts.clock ? { ...deps, clock: opts.clock } : deps, {
      identity: { name: 'gateway', id: `gw${apps.length}`, tags: [] },
      modules: [LENDING_GATEWAY, LIBRARY_GATEWAY],
      security: opts.security ?? shared,
    });
    const app = await buildServer({
      name: 'gateway',
      ...(opts.logStream ? { logStream: opts.logStream, logLevel: 'trace' as const } : { logger: log }),
    });
    await component.routes(app);
    await app.ready();
    apps.push(app);
    stops.push(() => component.stop());
    return app;
  };
  const app = await gateway();
  return {
    deps,
    app,
    gateway,
    async close() {
      await Promise.all(apps.map((a) => a.close()));
      await Promise.all(stops.map((s) => s()));
      await host.stop('test done');
    },
  };
}
