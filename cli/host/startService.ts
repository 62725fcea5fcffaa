import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createLogger } from '../../restlib/index.js';
import type { ServiceEntry } from '../services/catalog.js';
import {
  loadPlatformConfigOrExit,
  openInfrastructure,
  type PlatformConfig,
  type PlatformDeps,
} from '../../platform/index.js';
import { runHost, type HostedService, type RunningHost } from './runHost.js';
import { startTelemetry } from './telemetry.js';

/**
 * The bus, the registry and a logger for a process, from its config. Each is reached within `--connect-timeout`;
 * when one fails, the other is closed again.
 */
export async function openDeps(config: PlatformConfig, log: Logger): Promise<PlatformDeps> {
  const { bus, registry } = await openInfrastructure(config, log, config.id);
  return { bus, registry, log, clock: () => new Date() };
}

/** `--delay N`: postpone start-up by N seconds (a signal meanwhile ends the process, as nothing runs yet). */
export async function delayStart(config: Pick<PlatformConfig, 'delay'>, log: Logger): Promise<void> {
  if (config.delay <= 0) return;
  log.info({ seconds: config.delay }, 'delaying start-up (--delay)');
  await sleep(config.delay * 1000);
}

/** `bookshelf view last-read ...` and friends: one service in this process, configured by flags and env. */
export async function startService(entry: ServiceEntry, argv: readonly string[]): Promise<RunningHost> {
  const config = loadPlatformConfigOrExit(entry.spec, { argv });
  const log = createLogger({ name: config.name, level: config.logLevel, format: config.logFormat });
  await startTelemetry(config.name, log);
  await delayStart(config, log);
  const deps = await openDeps(config, log);
  try {
    const component = await entry.create(deps, config);
    const hosted: HostedService = { component, host: config.addr, port: config.port, advertise: config.advertiseAddr };
    const host = await runHost([hosted], deps);
    log.info(
      { url: host.urls.get(config.name), bus: config.bus.kind, registry: config.registry.kind },
      'ready to serve',
    );
    return host;
  } catch (err) {
    await Promise.allSettled([deps.bus.close(), deps.registry.close()]);
    throw err;
  }
}
