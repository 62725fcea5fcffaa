import type { Logger } from 'pino';
import { buildServer, createServiceLifecycle, onShutdownSignals, type ServiceLifecycle } from '../../restlib/index.js';
import type { PlatformDeps, ServiceComponent } from '../../platform/index.js';
import { stopTelemetry } from './telemetry.js';
import { bookshelfVersion } from './version.js';

export interface HostedService {
  component: ServiceComponent;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Registered address when it differs from the listen host (e.g. listening on 0.0.0.0). */
  advertise?: string;
}

export interface RunningHost {
  /** `name -> url` as bound. */
  urls: Map<string, string>;
  /** The ordered shutdown of every service, then the bus and the registry. Idempotent. */
  stop(reason?: string): Promise<boolean>;
}

/** Health check registered with each service: short enough that a dead instance leaves discovery quickly. */
const CHECK = { path: '/ready', interval: '2s', timeout: '1s', deregisterAfter: '1m' } as const;

/**
 * Builds, starts and registers each service; SIGINT or SIGTERM runs the ordered shutdown of all of them
 * (not ready -> deregister -> stop consumers -> close HTTP), then flushes the bus and closes the registry.
 * A second signal exits at once. When one fails to start, every service is stopped (those after it too: they may
 * hold a lock or consumers already) and the bus and the registry are closed before the error is thrown.
 */
export async function runHost(
  services: HostedService[],
  deps: PlatformDeps,
  opts: { signals?: boolean; exit?: (code: number) => void } = {},
): Promise<RunningHost> {
  const lifecycles: ServiceLifecycle[] = [];
  const urls = new Map<string, string>();
  let stopping: Promise<boolean> | undefined;

  /** A component that never got its lifecycle (start-up failed before it): stopped directly, so it frees its lock. */
  const stopUnhosted = async (s: HostedService): Promise<boolean> => {
    try {
      await s.component.stop();
      return true;
    } catch (err) {
      deps.log.error({ err, service: s.component.identity.id }, 'stopping a service that never started failed');
      return false;
    }
  };
  const stop = (reason = 'stop requested') =>
    (stopping ??= (async () => {
      const reports = await Promise.all([
        ...lifecycles.map(async (l) => (await l.stop(reason)).ok),
        ...services.slice(lifecycles.length).map(stopUnhosted),
      ]);
      let ok = reports.every(Boolean);
      for (const [what, close] of [
        ['bus', () => deps.bus.close()],
        ['registry', () => deps.registry.close()],
        // Spans of the shutdown itself are exported too: the SDK stops after the bus and the registry.
        ['telemetry', () => stopTelemetry()],
      ] as const) {
        try {
          await close();
        } catch (err) {
          ok = false;
          deps.log.error({ err }, `closing the ${what} failed`);
        }
      }
      await flush(deps.log);
      return ok;
    })());

  try {
    for (const s of services) {
      const c = s.component;
      const app = await buildServer({
        name: c.identity.name,
        version: bookshelfVersion(),
        description: c.description,
        logger: deps.log.child({ instance: c.identity.id }),
        readiness: () => c.readiness(),
      });
      await c.routes(app);
      const lifecycle = createServiceLifecycle({
        app,
        host: s.host,
        port: s.port,
        registry: deps.registry,
        registration: { ...c.identity, ...(s.advertise ? { address: s.advertise } : {}), check: CHECK },
        onShutdown: { stopConsumers: [() => c.stop()] },
        logger: deps.log,
      });
      lifecycles.push(lifecycle);
      const started = await lifecycle.start();
      urls.set(c.identity.name, started.url);
    }
  } catch (err) {
    await stop('start-up failed');
    throw err;
  }

  const exit = opts.exit ?? ((code: number) => process.exit(code));
  for (const s of services) {
    s.component.failed?.catch(async (err: unknown) => {
      deps.log.fatal({ err, service: s.component.identity.id }, `${s.component.identity.name} cannot go on: stopping`);
      await stop(`${s.component.identity.name} failed`);
      // A host that owns the process (signals) exits; an embedding caller (tests) passes its own `exit`.
      if (opts.exit || opts.signals !== false) exit(1);
    });
  }
  if (opts.signals !== false) {
    onShutdownSignals(stop, { graceMs: 15_000, log: deps.log, ...(opts.exit ? { exit: opts.exit } : {}) });
  }
  return { urls, stop };
}

function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    log.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
