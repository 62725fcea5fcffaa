import { randomBytes } from 'node:crypto';
import { encodeEnvelope, newEvent, type Envelope } from '../eventlib/index.js';
import { envInt, isMain, kafkaBus, standalone, type BenchContext } from './lib/harness.js';
import { runToEnd } from './lib/proc.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const PARTITIONS = 3;
const BATCH = 500;
const IN_FLIGHT = 4;
const SINGLE_CALLERS = 64;

function events(n: number, payloadBytes: number, offset = 0): Envelope[] {
  const pad = 'x'.repeat(payloadBytes);
  return Array.from({ length: n }, (_, i) =>
    newEvent({ type: 'bench-event', key: `k${(offset + i) % 1000}`, data: { p: pad }, producer: 'bench' }),
  );
}

/** ProducerPerformance's summary line: "N records sent, X records/sec (Y MB/sec), A ms avg latency, ...". */
function parsePerf(output: string): { perSec: number; line: string } {
  const lines = output.split('\n').filter((l) => /records sent, .* records\/sec/.test(l));
  const line = lines.at(-1);
  if (!line) throw new Error(`ProducerPerformance printed no summary:\n${output.slice(-2000)}`);
  return { perSec: Number(/records sent, ([\d.]+) records\/sec/.exec(line)![1]), line: line.trim() };
}

/** 1. The eventlib Kafka adapter publishing N events vs ProducerPerformance (acks=all) on the same broker. */
export async function kafkaPublishBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const brokers = ctx.addresses.kafkaBrokers;
  const sizes = [
    { payload: 100, n: envInt('BENCH_KAFKA_N_100', 200_000) },
    { payload: 1024, n: envInt('BENCH_KAFKA_N_1K', 100_000) },
  ];
  const singleN = envInt('BENCH_KAFKA_N_SINGLE', 20_000);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  const notes: string[] = [];
  const bus = await kafkaBus(brokers, 'bench-kafka-publish');
  try {
    for (const { payload, n } of sizes) {
      const tag = randomBytes(3).toString('hex');
      const ours = `bench-pub-${payload}-${tag}`;
      const raw = `bench-perf-${payload}-${tag}`;
      await bus.ensureTopic(ours, { partitions: PARTITIONS });
      await bus.ensureTopic(raw, { partitions: PARTITIONS });
      const recordBytes = Buffer.byteLength(encodeEnvelope(events(1, payload)[0]!));

      // Warm-up: connections, metadata, producer id.
      await bus.publish(ours, events(1000, payload));
      const all = events(n, payload, 1000);
      ctx.log(`kafka publish ${payload} B: eventlib, ${n} events in calls of ${BATCH}, ${IN_FLIGHT} in flight`);
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < all.length) {
            const from = next;
            next += BATCH;
            await bus.publish(ours, all.slice(from, from + BATCH));
          }
        }),
      );
      const oursPerSec = n / ((performance.now() - t0) / 1000);

      const args = [
        '-Xmx512m',
        '-cp',
        `${ctx.kafkaLibs}/*`,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        raw,
        '--num-records',
        String(n),
        '--record-size',
        String(recordBytes),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers}`,
        'acks=all',
      ];
      ctx.log(`kafka publish ${payload} B: ProducerPerformance, ${n} records of ${recordBytes} B`);
      const perf = await runToEnd('java', args, { timeoutMs: 300_000 });
      const { perSec, line } = parsePerf(perf.output);
      commands.push(`java ${args.join(' ')}`);
      notes.push(`ProducerPerformance ${payload} B payload: ${line}`);
      figures.push(
        {
          label: `eventlib publish, ${payload} B payload (${recordBytes} B envelope)`,
          value: oursPerSec,
          unit: 'events/s',
        },
        { label: `ProducerPerformance acks=all, ${recordBytes} B records`, value: perSec, unit: 'records/s' },
      );
      ratios.push(ratio(`Kafka publish ${payload} B (eventlib / ProducerPerformance)`, oursPerSec, perSec, 'events/s'));
    }

    // The service path: one event per publish call (one HTTP POST = one publish), many callers at once.
    const single = `bench-pub-single-${randomBytes(3).toString('hex')}`;
    await bus.ensureTopic(single, { partitions: PARTITIONS });
    await bus.publish(single, events(100, 100));
    const one = events(singleN, 100);
    let i = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: SINGLE_CALLERS }, async () => {
        while (i < one.length) await bus.publish(single, [one[i++]!]);
      }),
    );
    const singlePerSec = singleN / ((performance.now() - t0) / 1000);
    figures.push({
      label: `eventlib publish, 1 event per call, ${SINGLE_CALLERS} concurrent callers, 100 B`,
      value: singlePerSec,
      unit: 'events/s',
    });
    const base100 = figures.find((f) => f.label.startsWith('ProducerPerformance'))!.value;
    ratios.push(
      ratio('Kafka publish 1 event/call (eventlib / ProducerPerformance 100 B)', singlePerSec, base100, 'events/s'),
    );
  } finally {
    await bus.close();
  }
  commands.unshift(
    `eventlib: bus.publish(topic, events) in calls of ${BATCH} events, ${IN_FLIGHT} calls in flight, ${PARTITIONS} partitions, ` +
      `key k<i % 1000>, data { p: 'x' * payload }; N per size from BENCH_KAFKA_N_100 / BENCH_KAFKA_N_1K; ` +
      `then ${singleN} single-event publish calls from ${SINGLE_CALLERS} concurrent callers (BENCH_KAFKA_N_SINGLE)`,
  );
  notes.push(
    'ProducerPerformance record size = the encoded size of one of our envelopes, so both move the same bytes.',
  );
  return {
    name: 'kafka-publish',
    title: '1. Kafka publish: eventlib vs ProducerPerformance (acks=all)',
    commands,
    figures,
    ratios,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(kafkaPublishBench);
