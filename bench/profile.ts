import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envInt, isMain, kafkaBus, standalone, type BenchContext } from './lib/harness.js';
import { runToEnd } from './lib/proc.js';
import { topFrames, type CpuProfile } from './lib/cpuProfile.js';
import type { BenchResult } from './lib/report.js';
import { newEvent } from '../eventlib/index.js';

/**
 * Profiles the worst ratio of the suite, the cold view ingest (lastreadbooks reading its topic from the beginning),
 * with `node --cpu-prof` on the child and reports the top self-time frames and areas.
 */
export async function profileBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_PROFILE_N', 200_000);
  const topic = `bench-profile-${randomBytes(3).toString('hex')}`;
  const bus = await kafkaBus(ctx.addresses.kafkaBrokers, 'bench-profile');
  try {
    await bus.ensureTopic(topic, { partitions: 1 });
    const chunk = 5000;
    for (let from = 0; from < n; from += chunk) {
      const events = Array.from({ length: Math.min(chunk, n - from) }, (_, k) => {
        const id = `book-${(from + k) % 1000}`;
        return from + k < 1000
          ? newEvent({
              type: 'book-added',
              key: id,
              data: { id, title: `Title ${from + k}`, author: 'Bench' },
              producer: 'bench',
            })
          : newEvent({ type: 'book-read', key: id, data: { id }, producer: 'bench' });
      });
      await bus.publish(topic, events);
    }
  } finally {
    await bus.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-prof-'));
  try {
    const args = [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      '--import',
      'tsx',
      'bench/children/ingest.ts',
      'lastread',
      ctx.addresses.kafkaBrokers,
      topic,
      String(n),
    ];
    ctx.log(`profile: node ${args.join(' ')}`);
    const run = await runToEnd(process.execPath, args, { timeoutMs: 600_000 });
    if (run.code !== 0) throw new Error(`profiled child failed (${run.code}): ${run.output.slice(-2000)}`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const { frames, areas } = topFrames(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    const r = JSON.parse(run.output.split('\n').find((l) => l.startsWith('{"ms"'))!) as { ms: number; handled: number };
    return {
      name: 'profile',
      title: `Profile of the worst ratio: cold lastreadbooks ingest (${n.toLocaleString('en-US')} events, node --cpu-prof)`,
      commands: [`node ${args.join(' ').replace(dir, '<tmp>')}`],
      figures: [
        { label: 'ingest under the profiler', value: r.handled / (r.ms / 1000), unit: 'events/s' },
        ...areas.map((a) => ({ ...a, label: `area: ${a.label}` })),
        ...frames.map((f) => ({ ...f, label: `frame: ${f.label}` })),
      ],
      ratios: [],
      notes: [
        'Self time: samples whose top frame is that function (or inside that package/folder), over all samples of the child.',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await standalone(profileBench);
