import { randomBytes } from 'node:crypto';
import { ack, skip, type EventBus } from '../eventlib/index.js';
import { ensureLendingTopics, queueLending } from '../aggregates/lending/service/queue.js';
import { lendingTopics } from '../aggregates/lending/wire.js';
import { envInt, isMain, kafkaBus, redisBus, standalone, type BenchContext } from './lib/harness.js';
import { spawnCli, until, type Child } from './lib/proc.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const CALLERS = 32;
const WARM_UP = 10;

/** 6. Lending requests decided per second on Kafka and Redis, with one and with two workers. */
export async function lendingBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_LENDING_N', 1000);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  const rounds = envInt('BENCH_LENDING_ROUNDS', 3);
  const transports = (process.env.BENCH_LENDING_TRANSPORTS ?? 'kafka,redis')
    .split(',')
    .filter((t): t is 'kafka' | 'redis' => t === 'kafka' || t === 'redis');
  const rates: Record<string, number[]> = {};
  const perSec: Record<string, number> = {};
  for (const transport of transports) {
    // Interleaved: 1 worker, 2 workers, 1 worker, 2 workers, ...; medians per configuration.
    for (const workers of Array.from({ length: rounds }, () => [1, 2]).flat()) {
      const ns = `bench${randomBytes(3).toString('hex')}.`;
      const topics = lendingTopics(ns);
      const conn =
        transport === 'kafka'
          ? ['--broker', ctx.addresses.kafkaBrokers, '--consul', ctx.addresses.consulAddr]
          : ['-a', ctx.addresses.redisUrl];
      const bus: EventBus =
        transport === 'kafka'
          ? await kafkaBus(ctx.addresses.kafkaBrokers, 'bench-lending')
          : await redisBus(ctx.addresses.redisUrl);
      const procs: Child[] = [];
      try {
        await ensureLendingTopics(bus, topics);
        let outcomes = 0;
        const sub = await bus.subscribe({
          topics: [topics.events],
          group: `bench-outcomes-${ns}`,
          handler: (event) => {
            if (event.type !== 'books-lent' && event.type !== 'lending-denied') return skip();
            outcomes++;
            return ack();
          },
        });
        for (let w = 1; w <= workers; w++) {
          const args = ['lending-worker', `bench-w${w}`, ...conn, '--namespace', ns];
          commands.push(`node --import tsx cli/main.ts ${args.join(' ')}`);
          const p = spawnCli(args);
          procs.push(p);
          await until(() => {
            if (p.child.exitCode !== null) throw new Error(`worker exited: ${p.output()}`);
            return p.output().includes('running on');
          }, `lending worker ${w} on ${transport} to run`);
        }
        const queue = async (from: number, to: number) => {
          let next = from;
          await Promise.all(
            Array.from({ length: CALLERS }, async () => {
              while (next < to) {
                const i = next++;
                const r = await queueLending(
                  bus,
                  topics,
                  'request',
                  { user: `user-${i}`, books: [`book-${i}`] },
                  {
                    producer: 'bench',
                    clock: () => new Date(),
                  },
                );
                if (!r.ok) throw new Error(r.error.message);
              }
            }),
          );
        };
        ctx.log(`lending on ${transport}, ${workers} worker(s): ${WARM_UP} warm-up, then ${n} requests`);
        await queue(0, WARM_UP);
        await until(() => outcomes >= WARM_UP, 'warm-up outcomes', 120_000, 5);
        const t0 = performance.now();
        await queue(WARM_UP, WARM_UP + n);
        const queuedMs = performance.now() - t0;
        await until(() => outcomes >= WARM_UP + n, `${n} outcomes`, 600_000, 5);
        const rate = n / ((performance.now() - t0) / 1000);
        (rates[`${transport}${workers}`] ??= []).push(rate);
        await sub.close();
        ctx.log(
          `lending on ${transport}, ${workers} worker(s): ${Math.round(rate)} req/s (queued in ${Math.round(queuedMs)} ms)`,
        );
      } finally {
        await Promise.all(procs.map((p) => p.stop()));
        await bus.close();
      }
    }
  }
  for (const [config, values] of Object.entries(rates)) {
    const sorted = [...values].sort((a, b) => a - b);
    perSec[config] = sorted[Math.floor((sorted.length - 1) / 2)]!;
    figures.push({
      label: `${config.slice(0, -1)}, ${config.slice(-1)} worker(s): requests decided (median of ${values.length})`,
      value: perSec[config],
      unit: 'req/s',
    });
  }
  if (perSec.kafka1 && perSec.kafka2)
    ratios.push(ratio('Lending Kafka, 2 workers / 1 worker', perSec.kafka2, perSec.kafka1, 'req/s'));
  if (perSec.redis1 && perSec.redis2)
    ratios.push(ratio('Lending Redis, 2 workers / 1 worker', perSec.redis2, perSec.redis1, 'req/s'));
  if (perSec.redis1 && perSec.kafka1)
    ratios.push(ratio('Lending Redis / Kafka, 1 worker', perSec.redis1, perSec.kafka1, 'req/s'));
  return {
    name: 'lending',
    title: '6. Lending throughput: requests decided per second, 1 and 2 workers, Kafka and Redis',
    commands: [
      ...commands,
      `bench process: queueLending(bus, topics, 'request', { user: user-<i>, books: [book-<i>] }) from ${CALLERS} concurrent callers; ` +
        `${WARM_UP} warm-up requests, then ${n} (BENCH_LENDING_N) timed from the first queue call until every books-lent/lending-denied ` +
        'was read back from lending-events by a subscription of the bench process',
    ],
    figures,
    ratios,
    notes: [
      'Kafka: one partition of lending-commands, so the second worker is a hot standby (availability, not throughput; aggregates/lending/README.md).',
      'Redis: workers share the command stream in one group (eventlib subscribeAtomic) and decide in parallel, a batch of commands per WATCH/MULTI/EXEC; requests touch distinct users and books (no conflicts).',
      `Rounds interleaved per transport (1 worker, 2 workers, x ${rounds}, BENCH_LENDING_ROUNDS); medians. BENCH_LENDING_TRANSPORTS selects transports.`,
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(lendingBench);
