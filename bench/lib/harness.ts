import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StackAddresses } from '../../docker/stack/index.js';
import { kafkaLibsCheck, scriptResult } from '../../docker/stack/scriptResult.js';
import { ROOT, stopAll } from './proc.js';
import { publish, type BenchResult } from './report.js';
import { benchStack } from './stack.js';

export { kafkaBus, quietLogger, redisBus } from './buses.js';

/** What every benchmark gets: the servers and where Kafka's own tools live. */
export interface BenchContext {
  addresses: StackAddresses;
  kafkaLibs: string;
  log(line: string): void;
}

export type Bench = (ctx: BenchContext) => Promise<BenchResult>;

export const benchLog = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** The Kafka 4.1.1 jars (downloaded once and cached by docker/local/fetch-kafka.sh). */
export function kafkaLibs(): string {
  const script = join(ROOT, 'docker', 'local', 'fetch-kafka.sh');
  return scriptResult('fetch-kafka.sh', execFileSync('bash', [script], { encoding: 'utf8' }), kafkaLibsCheck);
}

/** An environment size knob: `BENCH_<NAME>` or the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
}

/** Runs one benchmark from its own entry point (`npx tsx bench/<name>.ts`): start servers, run, report, stop. */
export async function standalone(bench: Bench): Promise<void> {
  const stack = await benchStack(benchLog);
  const cleanup = async () => {
    await stopAll();
    await stack.stop();
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    publish(await bench({ addresses: stack.addresses, kafkaLibs: kafkaLibs(), log: benchLog }));
  } finally {
    await cleanup();
  }
}

/** True when `import.meta.url` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && metaUrl === pathToFileURL(resolve(entry)).href;
}

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
