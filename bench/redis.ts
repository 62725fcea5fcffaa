import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { ack, encodeEnvelope, newEvent, type Envelope } from '../eventlib/index.js';
import { envInt, isMain, redisBus, standalone, type BenchContext } from './lib/harness.js';
import { runToEnd, until } from './lib/proc.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const BATCH = 100;
const IN_FLIGHT = 4;
const PAYLOAD = 100;

function events(n: number): Envelope[] {
  const pad = 'x'.repeat(PAYLOAD);
  return Array.from({ length: n }, (_, i) =>
    newEvent({ type: 'bench-event', key: `k${i % 1000}`, data: { p: pad }, producer: 'bench' }),
  );
}

/** 3. The Redis Streams adapter publishing and consuming vs pipelined XADD (redis-benchmark -P 50). */
export async function redisBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_REDIS_N', 200_000);
  const url = new URL(ctx.addresses.redisUrl);
  const tag = randomBytes(3).toString('hex');
  const stream = `bench-redis-${tag}`;
  const rawStream = `bench-redis-raw-${tag}`;
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  const sample = encodeEnvelope(events(1)[0]!);

  // Baseline: pipelined XADD of entries shaped like ours (fields key and event, value one envelope).
  const args = [
    '-h',
    url.hostname,
    '-p',
    url.port || '6379',
    '-P',
    '50',
    '-c',
    '1',
    '-n',
    String(n),
    '--csv',
    'XADD',
    rawStream,
    '*',
    'key',
    'k1',
    'event',
    sample,
  ];
  ctx.log(`redis: redis-benchmark -P 50 -n ${n} XADD`);
  const bench = await runToEnd('redis-benchmark', args, { timeoutMs: 300_000 });
  const m = /^"XADD.*","([\d.]+)","[\d.]+","[\d.]+","[\d.]+","[\d.]+","[\d.]+","[\d.]+"$/m.exec(bench.output);
  if (!m) throw new Error(`redis-benchmark printed no XADD line (${bench.code}):\n${bench.output.slice(-2000)}`);
  const xaddPerSec = Number(m[1]);
  commands.push(`redis-benchmark ${args.slice(0, -1).join(' ')} '<one ${sample.length} B envelope>'`);
  figures.push({ label: 'redis-benchmark -P 50 -c 1 XADD', value: xaddPerSec, unit: 'entries/s' });

  const bus = await redisBus(ctx.addresses.redisUrl);
  const raw = createClient({ url: ctx.addresses.redisUrl });
  await raw.connect();
  try {
    await bus.publish(`${stream}-warm`, events(100));
    const all = events(n);
    ctx.log(`redis: eventlib publish ${n} events, calls of ${BATCH}, ${IN_FLIGHT} in flight`);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < all.length) {
          const from = next;
          next += BATCH;
          await bus.publish(stream, all.slice(from, from + BATCH));
        }
      }),
    );
    const pubPerSec = n / ((performance.now() - t0) / 1000);
    figures.push({
      label: `eventlib Redis publish (calls of ${BATCH}, ${IN_FLIGHT} in flight)`,
      value: pubPerSec,
      unit: 'events/s',
    });
    ratios.push(ratio('Redis publish (eventlib / redis-benchmark XADD -P 50)', pubPerSec, xaddPerSec, 'events/s'));

    ctx.log(`redis: eventlib subscribe, ${n} events from the start`);
    let handled = 0;
    const t1 = performance.now();
    const sub = await bus.subscribe({
      topics: [stream],
      group: `bench-${tag}`,
      handler: () => {
        handled++;
        return ack();
      },
    });
    await until(() => handled >= n, `${n} events consumed`, 600_000, 5);
    const subPerSec = n / ((performance.now() - t1) / 1000);
    await sub.close();
    figures.push({ label: 'eventlib Redis consume (XREADGROUP + handler + XACK)', value: subPerSec, unit: 'events/s' });
    ratios.push(ratio('Redis consume (eventlib / redis-benchmark XADD -P 50)', subPerSec, xaddPerSec, 'events/s'));

    // A second, closer baseline for consuming: the raw client reading the same stream in one group, acking each batch.
    ctx.log('redis: raw XREADGROUP COUNT 100 + pipelined XACK');
    const group = `bench-raw-${tag}`;
    await raw.xGroupCreate(stream, group, '0');
    let read = 0;
    const t2 = performance.now();
    while (read < n) {
      const res = await raw.xReadGroup(group, 'c1', { key: stream, id: '>' }, { COUNT: BATCH });
      const entries =
        (res as { messages: { id: string; message: Record<string, string> }[] }[] | null)?.[0]?.messages ?? [];
      if (entries.length === 0) break;
      for (const e of entries) JSON.parse(e.message.event!);
      await raw.xAck(
        stream,
        group,
        entries.map((e) => e.id),
      );
      read += entries.length;
    }
    const rawPerSec = read / ((performance.now() - t2) / 1000);
    figures.push({
      label: 'raw node-redis XREADGROUP COUNT 100 + JSON.parse + XACK',
      value: rawPerSec,
      unit: 'events/s',
    });
    ratios.push(ratio('Redis consume (eventlib / raw XREADGROUP loop)', subPerSec, rawPerSec, 'events/s'));
    commands.push(
      `eventlib: bus.publish(stream, events) in calls of ${BATCH} (${PAYLOAD} B payload, one MULTI of XADDs each), ${IN_FLIGHT} in flight, maxLen null; ` +
        `bus.subscribe(group from the beginning) until ${n} handled; raw loop: XREADGROUP COUNT ${BATCH} then XACK (node-redis 5). N from BENCH_REDIS_N.`,
    );
    await raw.del([stream, `${stream}-warm`, rawStream]);
  } finally {
    await raw.quit().catch(() => undefined);
    await bus.close();
  }
  return {
    name: 'redis',
    title: '3. Redis Streams: eventlib publish and consume vs pipelined XADD',
    commands,
    figures,
    ratios,
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(redisBench);
