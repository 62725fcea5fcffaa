import { startContainerStack, dockerAvailable } from './containers.js';
import { externalAddresses, externalConfigured } from './external.js';
import { startLocalStack, type LocalStackOptions } from './local.js';
import { StackError, type RunningStack, type StackSwitch } from './types.js';

export type { StackAddresses, RunningStack, StackMode, StackSwitch } from './types.js';
export { StackError } from './types.js';

const SWITCHES: readonly StackSwitch[] = ['auto', 'external', 'docker', 'local'];

export function parseSwitch(value: string | undefined): StackSwitch {
  const v = (value ?? 'auto') as StackSwitch;
  if (!SWITCHES.includes(v)) {
    throw new StackError(`BOOKSHELF_INFRA must be one of ${SWITCHES.join('|')}, got "${value}"`, 'STACK_ERR_CONFIG');
  }
  return v;
}

/**
 * Provides Kafka, Consul and Redis: `external` uses addresses from the environment, `docker` starts containers,
 * `local` starts local processes; `auto` picks external, then docker (falling back when containers fail), then local.
 */
export async function startStack(
  which: StackSwitch,
  local: LocalStackOptions = {},
  log: (line: string) => void = (l) => process.stderr.write(`[bookshelf-infra] ${l}\n`),
): Promise<RunningStack> {
  if (which === 'external' || (which === 'auto' && externalConfigured())) {
    log('using existing infrastructure from KAFKA_BROKERS, CONSUL_HTTP_ADDR, REDIS_URL');
    return { mode: 'external', addresses: externalAddresses(), stop: async () => {} };
  }
  if (which === 'docker' || (which === 'auto' && (await dockerAvailable()))) {
    try {
      log('starting Kafka, Consul and Redis containers (testcontainers)');
      const c = await startContainerStack();
      return { mode: 'docker', ...c };
    } catch (err) {
      if (which === 'docker') throw err;
      log(`containers failed (${(err as Error).message.split('\n')[0]}); falling back to local processes`);
    }
  }
  log('starting Kafka, Consul and Redis as local processes');
  const s = await startLocalStack({ progress: log, ...local });
  return { mode: 'local', addresses: s.addresses, stop: () => s.stop() };
}
export { startSecuredStack, SERVICES_POLICY, type SecuredStack, type SecuredStackOptions } from './secured.js';
