import type { Logger } from 'pino';
import { createEventBus, type EventBus } from '../eventlib/index.js';
import { createRegistry, type ServiceRegistry } from '../discolib/index.js';
import type { BusConfig, RegistryConfig } from './config.js';
import { instrumentBus } from './metrics.js';

/** The bus named by the config: Kafka (`--broker`), Redis Streams (`--redis`) or in memory. */
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
      return createEventBus({ kind: 'kafka', brokers: [...config.brokers], clientId, logger: log });
    case 'redis':
      return createEventBus({ kind: 'redis', url: config.url, logger: log });
    case 'memory':
      return createEventBus({ kind: 'memory', logger: log, ...(memoryFile ? { file: memoryFile } : {}) });
  }
}

/** Consul (`--consul`) or the in-process registry. */
export function openRegistry(config: RegistryConfig, log: Logger): ServiceRegistry {
  return config.kind === 'consul'
    ? createRegistry({ kind: 'consul', addr: config.addr, token: config.token, secure: config.secure }, log)
    : createRegistry({ kind: 'memory' }, log);
}
