import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createEventBus, type BusOptions } from '../../../../eventlib/index.js';
import { describeEventBus } from '../../../../eventlib/testing/index.js';
import { infra } from '../../../setup/infra.js';

const exec = promisify(execFile);
const { redisUrl } = infra();

// Short idle time so a killed consumer's entries are reclaimed within a test.
const options: BusOptions = { kind: 'redis', url: redisUrl, claimIdleMs: 1_000, blockMs: 500 };

describeEventBus('redis', (_ctx, overrides) => createEventBus({ ...options, ...overrides }), {
  partitions: 1,
  // `redis-cli XADD <stream> * event <line>`: what an operator would type.
  pushRaw: async (_bus, topic, lines) => {
    for (const line of lines) await exec('redis-cli', ['-u', redisUrl, 'XADD', topic, '*', 'event', line]);
  },
  childBusOptions: () => options,
  declaredPartitions: 'ignored',
  sharedAcrossProcesses: true,
  keyOrderAcrossTakeover: false,
  takeoverTimeoutMs: 15_000,
});
