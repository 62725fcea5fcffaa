import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './proc.js';

/** One measured figure. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
}

/** Our path against its raw-tool baseline: `ratio = ours / baseline` (for latencies, baseline / ours is noted). */
export interface Ratio {
  label: string;
  ours: number;
  baseline: number;
  ratio: number;
  unit: string;
}

export interface BenchResult {
  name: string;
  title: string;
  /** What ran, exactly (commands, sizes, batch shapes). */
  commands: string[];
  figures: Figure[];
  ratios: Ratio[];
  notes: string[];
  seconds: number;
}

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export function ratio(label: string, ours: number, baseline: number, unit: string): Ratio {
  return { label, ours, baseline, ratio: baseline === 0 ? 0 : ours / baseline, unit };
}

export const fmt = (n: number): string =>
  !Number.isFinite(n)
    ? String(n)
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : Math.abs(n) >= 1
        ? n.toFixed(2)
        : n.toFixed(3);

export const mib = (bytes: number): number => bytes / 1024 / 1024;

/** Prints a result and stores it as bench/results/<name>.json (read by run-all to build RESULTS.md). */
export function publish(result: BenchResult): BenchResult {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.name}.json`), JSON.stringify(result, null, 2));
  const out = [`\n== ${result.title} (${result.seconds.toFixed(1)} s)`];
  for (const f of result.figures) out.push(`  ${f.label}: ${fmt(f.value)} ${f.unit}`);
  for (const r of result.ratios)
    out.push(`  RATIO ${r.label}: ${fmt(r.ours)} / ${fmt(r.baseline)} ${r.unit} = ${r.ratio.toFixed(3)}`);
  for (const n of result.notes) out.push(`  note: ${n}`);
  process.stdout.write(out.join('\n') + '\n');
  return result;
}

/** stdout and stderr of a command (java -version prints to stderr), or the error message. */
const tryRun = (cmd: string, args: string[]): string => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error ? r.error.message : `${r.stdout}${r.stderr}`.trim();
};

/** CPU model, cores, memory and tool versions of this machine. */
export function machineInfo(kafkaLibs: string | undefined): Record<string, string> {
  const c = cpus();
  const java = tryRun('java', ['-version']).split('\n')[0] ?? '';
  const kafkaJar = kafkaLibs ? tryRun('bash', ['-c', `ls ${kafkaLibs} | grep -E '^kafka-clients-'`]) : '';
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: String(c.length),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: tryRun('uname', ['-sr']),
    node: process.version,
    java,
    kafka: kafkaJar.replace(/^kafka-clients-/, '').replace(/\.jar$/, '') || 'unknown',
    kafkajs: '2.2.4',
    redis: tryRun('redis-server', ['--version']).split(' ')[2]?.replace('v=', '') ?? 'unknown',
    kcat: /Version (\S+)/.exec(tryRun('kcat', ['-V']))?.[1] ?? 'unknown',
    librdkafka: /librdkafka (\S+)/.exec(tryRun('kcat', ['-V']))?.[1] ?? 'unknown',
    'redis-benchmark': tryRun('redis-benchmark', ['--version']),
    autocannon: '8.0.0',
  };
}
