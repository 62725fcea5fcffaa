import { inject } from 'vitest';
import type { StackAddresses } from '../../docker/stack/index.js';

/** Addresses of the real Kafka, Consul and Redis this run uses (started by test/setup/infra.global.ts). */
export function infra(): StackAddresses {
  return inject('infra');
}
