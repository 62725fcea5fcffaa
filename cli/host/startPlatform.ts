import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createLogger, ConfigError, RestError } from '../../restlib/index.js';
import { DEMO_BOOKS, SEED_BOOKS } from '../../aggregates/library/contract.js';
import { ALL_SERVICES } from '../services/index.js';
import { GATEWAY_SECURITY_OPTIONS, GATEWAY_SERVICE } from '../services/gateway.js';
import { gatewaySecurity, type GatewayComponent, type GatewaySecurity } from '../../gateway/service.js';
import type { PlatformDeps, ServiceComponent } from '../../platform/index.js';
import { runHost, type HostedService, type RunningHost } from './runHost.js';
import { delayStart } from './startService.js';
import { startTelemetry } from './telemetry.js';
import {
  loadPlatformConfig,
  loadPlatformConfigOrExit,
  openInfrastructure,
  type PlatformConfig,
} from '../../platform/index.js';

/** How often the start-up asks the gateway whether it is ready (no I/O: its gate watches the registry). */
const READY_POLL_MS = 50;

// Both demo sets (ours and seed 004's, `library load-demo --seed`), so either lends the copies its catalog says.
const DEMO_COPIES_BY_BOOK = Object.freeze(
  Object.fromEntries([...DEMO_BOOKS, ...SEED_BOOKS].map((b) => [b.id, b.copies])),
);

/** Env vars that pick real infrastructure; `bookshelf start` ignores them so it is always embedded. */
const TRANSPORT_ENV = [
  'BOOKSHELF_BROKER',
  'KAFKA_BROKERS',
  'BOOKSHELF_REDIS',
  'REDIS_URL',
  'BOOKSHELF_CONSUL',
  'CONSUL_HTTP_ADDR',
];

/** What `bookshelf start` and `bookshelf up` do (their --help and the top-level help). */
export const PLATFORM_DESCRIPTION = {
  embedded: 'every service of every domain in this process, on the in-memory bus and registry',
  real: 'every service of every domain in this process, on Kafka (--broker) or Redis (--redis), with Consul (--consul)',
} as const;

const platformSpec = (program: string) => ({
  ...GATEWAY_SERVICE.spec,
  // Embedded, the banner is what people read: log warnings only unless --log-level says otherwise.
  defaults: {
    ...GATEWAY_SERVICE.spec.defaults,
    ...(program === 'bookshelf start' ? { logLevel: 'warn' as const } : {}),
  },
  program,
  description: PLATFORM_DESCRIPTION[program === 'bookshelf start' ? 'embedded' : 'real'],
  options: {
    ...GATEWAY_SECURITY_OPTIONS,
    dataFile: {
      flag: '--data-file <path>',
      description: 'keep the in-memory event log in this append-only file, so a restart keeps the data',
      env: ['BOOKSHELF_DATA_FILE'],
      schema: z.string().min(1),
    },
    readyTimeout: {
      flag: '--ready-timeout <seconds>',
      description: 'longest wait for the gateway to be ready (every service it routes to passing) before giving up',
      env: ['BOOKSHELF_READY_TIMEOUT'],
      schema: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be a number of seconds'),
      default: 120,
    },
  },
});

export interface RunningPlatform extends RunningHost {
  config: PlatformConfig;
  /** What the gateway enforces (API keys, JWT, where the session key comes from), for the banner. */
  security: GatewaySecurity;
}

/**
 * `bookshelf start` (embedded) and `bookshelf up` (real infrastructure): every service in one process, the
 * gateway on --addr/--port (127.0.0.1:8000), the others on free ports found through the registry.
 */
export async function startPlatform(mode: 'embedded' | 'real', argv: readonly string[]): Promise<RunningPlatform> {
  const program = mode === 'embedded' ? 'bookshelf start' : 'bookshelf up';
  const env = mode === 'embedded' ? withoutKeys(process.env, TRANSPORT_ENV) : process.env;
  const config = loadPlatformConfigOrExit(platformSpec(program), { argv, env });
  if (mode === 'embedded' && (config.broker || config.redis || config.consul)) {
    throw new ConfigError(
      'REST_ERR_CONFIG_USAGE',
      'bookshelf start is embedded; use bookshelf up with --broker, --redis or --consul',
    );
  }
  if (mode === 'real' && config.bus.kind === 'memory') {
    throw new ConfigError(
      'REST_ERR_CONFIG_USAGE',
      'bookshelf up needs --broker host:port (Kafka) or --redis url; bookshelf start runs embedded',
    );
  }
  const log = createLogger({ name: 'bookshelf', level: config.logLevel, format: config.logFormat });
  await startTelemetry('bookshelf', log);
  await delayStart(config, log);
  const { bus, registry } = await openInfrastructure(config, log, 'bookshelf', config.dataFile);
  const deps: PlatformDeps = { bus, registry, log, clock: () => new Date() };
  const hosted: HostedService[] = [];
  let gateway: ServiceComponent | undefined;
  // The gateway's security flags are the platform's (`bookshelf start --api-keys-file ...`).
  const securityFlags = Object.fromEntries(
    Object.keys(GATEWAY_SECURITY_OPTIONS).map((k) => [k, (config as unknown as Record<string, unknown>)[k]]),
  );
  try {
    for (const entry of ALL_SERVICES) {
      const isGateway = entry === GATEWAY_SERVICE;
      const defaults = loadPlatformConfig(entry.spec, { argv: [], env: {} });
      if (defaults.kind !== 'config') throw new Error(`default config of ${entry.spec.defaults.name} is invalid`);
      const own = {
        ...defaults.config,
        topic: config.topic,
        connectTimeoutMs: config.connectTimeoutMs,
        bus: config.bus,
        registry: config.registry,
        addr: config.addr,
        advertiseAddr: config.advertiseAddr,
        // The library's demo catalog is loaded at start: lending counts its copies (2 of each demo book).
        ...('copiesOf' in (entry.spec.options ?? {}) ? { copiesOf: DEMO_COPIES_BY_BOOK } : {}),
      };
      const component = await entry.create(
        deps,
        isGateway ? { ...own, ...securityFlags, port: config.port } : { ...own, port: 0 },
      );
      if (isGateway) gateway = component;
      hosted.push({ component, host: config.addr, port: isGateway ? config.port : 0, advertise: config.advertiseAddr });
    }
  } catch (err) {
    await Promise.allSettled([...hosted.map((h) => h.component.stop()), bus.close(), deps.registry.close()]);
    throw err;
  }
  const host = await runHost(hosted, deps);
  try {
    // The banner says "running" once the gateway routes: every service it forwards to passes its registry check.
    if (gateway) await untilReady(gateway, config.readyTimeout * 1000, program);
  } catch (err) {
    await host.stop('not ready in time');
    throw err;
  }
  const security = (gateway as GatewayComponent | undefined)?.security ?? gatewaySecurity();
  return { ...host, config, security };
}

/**
 * Resolves once the component's readiness (what its `/ready` answers) is ready: for the gateway, once every
 * service it routes to has a passing instance. After `timeoutMs`, rejects with why it is not ready (the gateway
 * names the upstreams that never passed).
 */
export async function untilReady(component: ServiceComponent, timeoutMs: number, program: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const readiness = await component.readiness();
    if (readiness.ready) return;
    if (Date.now() >= deadline) {
      throw new RestError(
        'REST_ERR_UNAVAILABLE',
        `${program}: the ${component.identity.name} is not ready after ${timeoutMs / 1000} s: ` +
          `${readiness.detail ?? 'its readiness check fails'} (see their /ready and the log; --ready-timeout waits longer)`,
      );
    }
    await sleep(READY_POLL_MS);
  }
}

function withoutKeys(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !keys.includes(k)));
}
