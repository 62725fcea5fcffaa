import { spawn } from 'node:child_process';
import { createEventBus, type BusOptions } from '../../../../eventlib/index.js';
import { describeEventBus } from '../../../../eventlib/testing/index.js';
import { infra } from '../../../setup/infra.js';

const { kafkaBrokers } = infra();

// Short session timeout (the broker's minimum) so a killed member's partitions move quickly.
const options: BusOptions = {
  kind: 'kafka',
  brokers: kafkaBrokers,
  clientId: 'eventlib-contract',
  partitions: 3,
  consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 },
};

/** `kcat -P`: one message per line, no key, exactly what an operator would type. */
function kcatProduce(topic: string, lines: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const kcat = spawn('kcat', ['-P', '-b', kafkaBrokers, '-t', topic], { stdio: ['pipe', 'ignore', 'inherit'] });
    kcat.once('error', reject);
    kcat.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}`))));
    kcat.stdin.end(lines.join('\n') + '\n');
  });
}

describeEventBus('kafka', (_ctx, overrides) => createEventBus({ ...options, ...overrides }), {
  partitions: 3,
  pushRaw: (_bus, topic, lines) => kcatProduce(topic, lines),
  childBusOptions: () => options,
  declaredPartitions: 'enforced',
  sharedAcrossProcesses: true,
  keyOrderAcrossTakeover: true,
  takeoverTimeoutMs: 30_000,
});
