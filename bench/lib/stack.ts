import { existsSync, readFileSync } from 'node:fs';
import { startStack, parseSwitch, type RunningStack } from '../../docker/stack/index.js';

const SHARED_ENV = '/tmp/bookshelf-stack.env';

/**
 * The servers a benchmark run uses. `BENCH_INFRA=local` (the default) starts a private Kafka, Consul and Redis so
 * other work on the shared stack does not disturb the figures (and our Consul names do not meet theirs);
 * `BENCH_INFRA=shared` uses /tmp/bookshelf-stack.env; anything else is passed to `startStack` (auto, docker...).
 */
export async function benchStack(log: (line: string) => void = (l) => process.stderr.write(`[bench] ${l}\n`)) {
  const which = process.env.BENCH_INFRA ?? 'local';
  if (which === 'shared') {
    if (!existsSync(SHARED_ENV)) throw new Error(`BENCH_INFRA=shared but ${SHARED_ENV} does not exist`);
    for (const line of readFileSync(SHARED_ENV, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]!] = m[2]!;
    }
    return startStack('external', {}, log);
  }
  const stack: RunningStack = await startStack(parseSwitch(which), { reapWithOwner: true }, log);
  log(`stack (${stack.mode}): ${JSON.stringify(stack.addresses)}`);
  return stack;
}
