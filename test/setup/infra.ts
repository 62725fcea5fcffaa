import { inject } from 'vitest';
import type { StackAddresses, StackMode } from '../../docker/stack/index.js';

/** Addresses of the real Kafka, Consul and Redis this run uses (started by test/setup/infra.global.ts). */
export function infra(): StackAddresses {
  return inject('infra');
}

/** How the run got its servers: `local` or `docker` (started by the run, with our settings) or `external`. */
export function infraMode(): StackMode {
  return inject('infraMode');
}
