import type { Logger } from 'pino';
import { createEventBus, type EventBus } from '../eventlib/index.js';
import { connectRegistry, type ServiceRegistry } from '../discolib/index.js';
import type { BusConfig, RegistryConfig } from './config.js';
import { instrumentBus } from './metrics.js';

/**
 * The bus named by the config: Kafka (`--broker`), Redis Streams (`--redis`) or in memory, with the config's
 * credentials and TLS. Kafka and Redis are reached within the config's `connectTimeoutMs` or it rejects with one
 * EVT_ERR_CONNECTION (`cannot reach Kafka at ... within ... ms (...)`); refused credentials are EVT_ERR_AUTH and a
 * certificate the CA does not vouch for EVT_ERR_TLS, at once.
 */
export async function openBus(
  config: BusConfig,
  log: Logger,
  clientId: string,
  memoryFile?: string,
): Promise<EventBus> {
  // Publishes timed and subscriptions reported at /metrics (platform/metrics.ts).
  return instrumentBus(await createBus(config, log, clientId, memoryFile));
}

function createBus(config: BusConfig, log: Logger, clientId: string, memoryFile?: string): Promise<EventBus> {
  switch (config.kind) {
    case 'kafka':
      return createEventBus({
        kind: 'kafka',
        brokers: [...config.brokers],
        clientId,
        logger: log,
        ...timeout(config),
        ...(config.sasl ? { sasl: { ...config.sasl } } : {}),
        ...(config.tls ? { ssl: config.tls.ca ? { ca: [...config.tls.ca] } : true } : {}),
      });
    case 'redis':
      return createEventBus({
        kind: 'redis',
        url: config.url,
        logger: log,
        ...timeout(config),
        ...(config.username !== undefined ? { username: config.username } : {}),
        ...(config.password !== undefined ? { password: config.password } : {}),
        ...(config.tls ? { tls: config.tls.ca ? { ca: [...config.tls.ca] } : true } : {}),
      });
    case 'memory':
      return createEventBus({ kind: 'memory', logger: log, ...(memoryFile ? { file: memoryFile } : {}) });
  }
}

/**
 * Consul (`--consul`), once its agent answers within the config's `connectTimeoutMs` (else DISCO_ERR_UNAVAILABLE,
 * `cannot reach Consul at ... within ... ms (...)`), or the in-process registry.
 */
export function openRegistry(config: RegistryConfig, log: Logger): Promise<ServiceRegistry> {
  return config.kind === 'consul'
    ? connectRegistry(
        {
          kind: 'consul',
          addr: config.addr,
          token: config.token,
          secure: config.secure,
          ...(config.ca ? { ca: [...config.ca] } : {}),
          ...timeout(config),
        },
        log,
      )
    : connectRegistry({ kind: 'memory' }, log);
}

/**
 * Opens the bus and the registry side by side; when either fails, the other is closed again before the error (the
 * bus's first) is thrown, so a failed start leaves no connection behind.
 */
export async function openInfrastructure(
  config: { bus: BusConfig; registry: RegistryConfig },
  log: Logger,
  clientId: string,
  memoryFile?: string,
): Promise<{ bus: EventBus; registry: ServiceRegistry }> {
  const [bus, registry] = await Promise.allSettled([
    openBus(config.bus, log, clientId, memoryFile),
    openRegistry(config.registry, log),
  ]);
  if (bus.status === 'fulfilled' && registry.status === 'fulfilled')
    return { bus: bus.value, registry: registry.value };
  await Promise.allSettled([
    bus.status === 'fulfilled' ? bus.value.close() : undefined,
    registry.status === 'fulfilled' ? registry.value.close() : undefined,
  ]);
  throw bus.status === 'rejected' ? bus.reason : (registry as PromiseRejectedResult).reason;
}

function timeout(config: { connectTimeoutMs?: number }): { connectTimeoutMs?: number } {
  return config.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.connectTimeoutMs } : {};
}
