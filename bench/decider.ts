import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { ack, encodeEnvelope, newEvent, skip, type Envelope, type EventBus } from '../eventlib/index.js';
import { lendingCommand } from '../aggregates/lending/domain/index.js';
import { ensureLendingTopics } from '../aggregates/lending/service/queue.js';
import { commandEnvelope, lendingTopics } from '../aggregates/lending/wire.js';
import { envInt, isMain, kafkaBus, percentile, redisBus, standalone, type BenchContext } from './lib/harness.js';
import { spawnCli, until, type Child } from './lib/proc.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const BATCH = 500;
const IN_FLIGHT = 4;

export const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** `n` lending requests of distinct users and books (no conflicts), as the command service would queue them. */
export function requests(n: number, tag: string): Envelope[] {
  return Array.from({ length: n }, (_, i) =>
    commandEnvelope(lendingCommand('request', `${tag}-${i}`, { user: `u-${tag}-${i}`, books: [`b-${tag}-${i}`] }), {
      producer: 'bench',
      clock: () => new Date(),
    }),
  );
}

/** Publishes `events` in calls of BATCH with IN_FLIGHT calls at once; returns the time it took (ms). */
export async function publishAll(bus: EventBus, topic: string, events: readonly Envelope[]): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < events.length) {
        const from = next;
        next += BATCH;
        await bus.publish(topic, events.slice(from, from + BATCH));
      }
    }),
  );
  return performance.now() - t0;
}

/**
 * 7. The write-side engine: a backlog of lending requests decided by one worker per second, against the rate at
 * which the same machine appends (eventlib's batched publish on Kafka, a raw pipelined XADD on Redis), measured
 * interleaved (A B A B) over rounds in one run; medians.
 */
export async function deciderBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_DECIDER_N', 5000);
  const rounds = envInt('BENCH_DECIDER_ROUNDS', 3);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  const transports = (process.env.BENCH_DECIDER_TRANSPORTS ?? 'kafka,redis')
    .split(',')
    .filter((t): t is 'kafka' | 'redis' => t === 'kafka' || t === 'redis');
  for (const transport of transports) {
    const ns = `benchdec${randomBytes(3).toString('hex')}.`;
    const topics = lendingTopics(ns);
    const bus: EventBus =
      transport === 'kafka'
        ? await kafkaBus(ctx.addresses.kafkaBrokers, 'bench-decider')
        : await redisBus(ctx.addresses.redisUrl);
    const raw = transport === 'redis' ? createClient({ url: ctx.addresses.redisUrl }) : undefined;
    await raw?.connect();
    let worker: Child | undefined;
    try {
      await ensureLendingTopics(bus, topics);
      let outcomes = 0;
      const sub = await bus.subscribe({
        topics: [topics.events],
        group: `bench-decider-outcomes-${ns}`,
        handler: (event) => {
          if (event.type !== 'books-lent' && event.type !== 'lending-denied') return skip();
          outcomes++;
          return ack();
        },
      });
      const conn =
        transport === 'kafka'
          ? ['--broker', ctx.addresses.kafkaBrokers, '--consul', ctx.addresses.consulAddr]
          : ['-a', ctx.addresses.redisUrl];
      const args = ['lending-worker', 'bench-decider', ...conn, '--namespace', ns];
      commands.push(`node --import tsx cli/main.ts ${args.join(' ')}`);
      worker = spawnCli(args);
      const w = worker;
      await until(() => {
        if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.output()}`);
        return w.output().includes('running on');
      }, `the lending worker on ${transport} to run`);
      // Warm-up: connections, metadata, the worker's first batches.
      await publishAll(bus, topics.commands, requests(200, 'warm'));
      await until(() => outcomes >= 200, 'warm-up outcomes', 120_000, 5);

      const scratch = `bench-decider-append-${ns}`;
      if (transport === 'kafka') await bus.ensureTopic(scratch, { partitions: 1 });
      const sample = encodeEnvelope(requests(1, 'sample')[0]!);
      const baseline: number[] = [];
      const decided: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        // A: appending as fast as this machine does.
        if (transport === 'kafka') {
          const events = Array.from({ length: n }, (_, i) =>
            newEvent({ type: 'bench-event', key: 'lending', data: { i, pad: sample }, producer: 'bench' }),
          );
          baseline.push(n / ((await publishAll(bus, scratch, events)) / 1000));
        } else {
          const t0 = performance.now();
          for (let from = 0; from < n; from += BATCH) {
            const pipeline = raw!.multi();
            for (let i = from; i < Math.min(n, from + BATCH); i++)
              pipeline.xAdd(scratch, '*', { key: 'lending', event: sample });
            await pipeline.execAsPipeline();
          }
          baseline.push(n / ((performance.now() - t0) / 1000));
        }
        // B: a backlog of n requests, from the first append until the last outcome is read back.
        const before = outcomes;
        const t0 = performance.now();
        await publishAll(bus, topics.commands, requests(n, `r${round}`));
        await until(() => outcomes >= before + n, `${n} outcomes`, 600_000, 5);
        decided.push(n / ((performance.now() - t0) / 1000));
        ctx.log(
          `decider on ${transport}, round ${round}: append ${Math.round(baseline.at(-1)!)} /s, decided ${Math.round(decided.at(-1)!)} /s`,
        );
      }
      await sub.close();
      const base = transport === 'kafka' ? 'eventlib batch publish' : 'raw XADD pipeline';
      figures.push(
        { label: `${transport}: ${base} (median of ${rounds})`, value: median(baseline), unit: 'events/s' },
        {
          label: `${transport}: lending backlog decided, 1 worker (median of ${rounds})`,
          value: median(decided),
          unit: 'req/s',
        },
      );
      ratios.push(
        ratio(
          transport === 'kafka'
            ? 'Lending Kafka decided / eventlib batch publish'
            : 'Lending Redis decided / raw XADD pipeline',
          median(decided),
          median(baseline),
          'per s',
        ),
      );
    } finally {
      await worker?.stop();
      await raw?.close();
      await bus.close();
    }
  }
  return {
    name: 'decider',
    title: '7. Write-side engine: a lending backlog decided per second vs the raw append rate (interleaved, medians)',
    commands: [
      ...commands,
      `bench process, per round (${rounds} rounds, A B A B): A = ${n} events appended in calls of ${BATCH}, ${IN_FLIGHT} in flight ` +
        `(Kafka: eventlib publish, acks=all; Redis: node-redis MULTI-less pipelines of ${BATCH} XADD); B = ${n} lending ` +
        'requests (distinct users and books) appended the same way to lending-commands, timed until every outcome is read back',
    ],
    figures,
    ratios,
    notes: [
      'Kafka: the worker runs on platform/logDecider.ts (group commit: one append and one acknowledgement per batch of up to 500).',
      'Redis: the worker runs on eventlib subscribeAtomic and decides a run of up to 100 commands per WATCH/MULTI/EXEC (one by one after a conflict).',
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(deciderBench);
