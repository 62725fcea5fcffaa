import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEnvelope, newEvent } from '../eventlib/index.js';
import { envInt, isMain, kafkaBus, standalone, type BenchContext } from './lib/harness.js';
import { runToEnd } from './lib/proc.js';
import { mib, ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const BOOKS = 1000;

/** N bookshelf envelopes, one per line: BOOKS book-added, then book-read of those books round robin. */
async function writeEvents(file: string, n: number): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const id = `book-${i % BOOKS}`;
    const event =
      i < BOOKS
        ? newEvent({
            type: 'book-added',
            key: id,
            data: { id, title: `Title ${i}`, author: 'Bench' },
            producer: 'bench',
          })
        : newEvent({ type: 'book-read', key: id, data: { id }, producer: 'bench' });
    const line = `${encodeEnvelope(event)}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes / n;
}

/** 2. Cold view ingest (lastreadbooks and a no-op projection) vs `kcat -C -e` reading the same topic. */
export async function viewIngestBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_INGEST_N', 1_000_000);
  const brokers = ctx.addresses.kafkaBrokers;
  const topic = `bench-ingest-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-bench-'));
  const file = join(dir, 'events.jsonl');
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  try {
    const bus = await kafkaBus(brokers, 'bench-ingest-admin');
    await bus.ensureTopic(topic, { partitions: 1 });
    await bus.close();
    ctx.log(`view ingest: writing ${n} envelopes`);
    const avgBytes = await writeEvents(file, n);
    const produceArgs = ['-P', '-b', brokers, '-t', topic, '-p', '0', '-X', 'linger.ms=20', '-l', file];
    ctx.log(`view ingest: producing with kcat ${produceArgs.join(' ')}`);
    const produced = await runToEnd('kcat', produceArgs, { timeoutMs: 600_000 });
    if (produced.code !== 0) throw new Error(`kcat -P failed (${produced.code}): ${produced.output.slice(-2000)}`);
    commands.push(`kcat ${produceArgs.join(' ')}   # ${n} envelopes, ${avgBytes.toFixed(0)} B each on average`);

    const kcatArgs = ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q'];
    ctx.log('view ingest: kcat -C -e');
    const kcat = await runToEnd('kcat', kcatArgs, { timeoutMs: 600_000, stdout: 'ignore' });
    if (kcat.code !== 0) throw new Error(`kcat -C failed (${kcat.code}): ${kcat.output.slice(-2000)}`);
    const kcatPerSec = n / (kcat.ms / 1000);
    commands.push(`kcat ${kcatArgs.join(' ')} > /dev/null   # wall time of the process`);
    figures.push(
      { label: 'kcat -C -e (to /dev/null)', value: kcatPerSec, unit: 'events/s' },
      { label: 'kcat peak RSS (VmHWM)', value: mib(kcat.peakRss), unit: 'MiB' },
    );

    // The client-library bound: bare kafkajs, JSON.parse only.
    ctx.log('view ingest: bare kafkajs consumer');
    const rawArgs = ['--import', 'tsx', 'bench/children/rawKafkajs.ts', brokers, topic, String(n)];
    const rawRun = await runToEnd(process.execPath, rawArgs, { timeoutMs: 900_000 });
    const rawLine = rawRun.output.split('\n').find((l) => l.startsWith('{"ms"'));
    if (rawRun.code !== 0 || !rawLine)
      throw new Error(`kafkajs child failed (${rawRun.code}): ${rawRun.output.slice(-3000)}`);
    const raw = JSON.parse(rawLine) as { ms: number; handled: number };
    const rawPerSec = raw.handled / (raw.ms / 1000);
    commands.push(`node ${rawArgs.join(' ')}   # kafkajs eachBatch + JSON.parse, no commits`);
    figures.push(
      { label: 'bare kafkajs consumer (eachBatch + JSON.parse)', value: rawPerSec, unit: 'events/s' },
      { label: 'bare kafkajs consumer, peak RSS (VmHWM)', value: mib(rawRun.peakRss), unit: 'MiB' },
    );
    ratios.push(
      ratio('View ingest bare kafkajs / kcat -C -e (client-library bound)', rawPerSec, kcatPerSec, 'events/s'),
    );

    for (const mode of ['lastread', 'noop'] as const) {
      ctx.log(`view ingest: cold ${mode} read model`);
      const args = ['--import', 'tsx', 'bench/children/ingest.ts', mode, brokers, topic, String(n)];
      const run = await runToEnd(process.execPath, args, { timeoutMs: 900_000 });
      const line = run.output.split('\n').find((l) => l.startsWith('{"ms"'));
      if (run.code !== 0 || !line)
        throw new Error(`ingest child (${mode}) failed (${run.code}): ${run.output.slice(-3000)}`);
      const r = JSON.parse(line) as { ms: number; handled: number; maxRssBytes: number };
      const perSec = r.handled / (r.ms / 1000);
      const name =
        mode === 'lastread' ? 'lastreadbooks (lastReadService component)' : 'no-op projection (startReadModel)';
      commands.push(`node ${args.join(' ')}   # time from creating the bus to caught up with ${n} handled`);
      figures.push(
        { label: `${name}, cold ingest`, value: perSec, unit: 'events/s' },
        { label: `${name}, peak RSS (VmHWM of the child)`, value: mib(run.peakRss), unit: 'MiB' },
        { label: `${name}, maxRSS reported by the child`, value: mib(r.maxRssBytes), unit: 'MiB' },
      );
      ratios.push(ratio(`View ingest ${mode} / kcat -C -e`, perSec, kcatPerSec, 'events/s'));
      ratios.push(ratio(`View ingest ${mode} / bare kafkajs`, perSec, rawPerSec, 'events/s'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: 'view-ingest',
    title: `2. View ingest: cold read models vs kcat -C -e (${n.toLocaleString('en-US')} events, 1 partition)`,
    commands,
    figures,
    ratios,
    notes: [
      'Both read models validate every envelope against the bookshelf registry (zod) and run the one consumer loop;' +
        ' the no-op projection differs from lastreadbooks only by its apply().',
      'Times of the read models exclude node/tsx start-up (measured inside the child); kcat is timed as a whole process.',
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(viewIngestBench);
