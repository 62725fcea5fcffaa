import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { ack, skip, type EventBus } from '../eventlib/index.js';
import { ensureLendingTopics } from '../aggregates/lending/service/queue.js';
import { lendingTopics } from '../aggregates/lending/wire.js';
import { ensureOrdersTopic } from '../aggregates/orders/service/topics.js';
import { median, publishAll, requests } from './decider.js';
import { envInt, isMain, kafkaBus, redisBus, standalone, type BenchContext } from './lib/harness.js';
import { spawnCli, until, waitReady, type Child } from './lib/proc.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const CALLERS = 32;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * 8. Orders: `POST /order` to the shop until the order's final status is in the log (the whole saga: reserve, charge,
 * settle), orders/s on each transport, against a lending backlog decided by one worker in the same run
 * (interleaved A B A B, medians), so the saga's cost is visible.
 */
export async function ordersBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_ORDERS_N', 500);
  const lendingN = envInt('BENCH_ORDERS_LENDING_N', 2000);
  const rounds = envInt('BENCH_ORDERS_ROUNDS', 3);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  for (const transport of ['kafka', 'redis'] as const) {
    const ns = `benchord${randomBytes(3).toString('hex')}`;
    const topic = `${ns}.orders`;
    const topics = lendingTopics(`${ns}.`);
    const bus: EventBus =
      transport === 'kafka'
        ? await kafkaBus(ctx.addresses.kafkaBrokers, 'bench-orders')
        : await redisBus(ctx.addresses.redisUrl);
    const procs: Child[] = [];
    const conn = transport === 'kafka' ? ['--broker', ctx.addresses.kafkaBrokers] : ['--redis', ctx.addresses.redisUrl];
    const env = { CONSUL_HTTP_ADDR: '', BOOKSHELF_CONSUL: '' };
    try {
      await ensureLendingTopics(bus, topics);
      await ensureOrdersTopic(bus, topic);
      let settled = 0;
      let outcomes = 0;
      const subs = [
        await bus.subscribe({
          topics: [topic],
          group: `bench-orders-final-${ns}`,
          handler: (e) => (e.type === 'order-status-changed' ? (settled++, ack()) : skip()),
        }),
        await bus.subscribe({
          topics: [topics.events],
          group: `bench-orders-lending-${ns}`,
          handler: (e) => (e.type === 'books-lent' || e.type === 'lending-denied' ? (outcomes++, ack()) : skip()),
        }),
      ];
      const shopPort = await freePort();
      const sagaPort = await freePort();
      const start = async (args: string[], ready?: string) => {
        commands.push(`node --import tsx cli/main.ts ${args.join(' ')}`);
        const p = spawnCli(args, env);
        procs.push(p);
        if (ready) await waitReady(ready, p);
        return p;
      };
      const orders = ['--orders-topic', topic, ...conn];
      await start(
        ['orders', 'shop', ...orders, '--group', `${ns}-shop`, '--id', `${ns}-shop`, '--port', String(shopPort)],
        `http://127.0.0.1:${shopPort}/ready`,
      );
      await start(
        ['orders', 'saga', ...orders, '--group', `${ns}-saga`, '--id', `${ns}-saga`, '--port', String(sagaPort)],
        `http://127.0.0.1:${sagaPort}/ready`,
      );
      const lendingConn =
        transport === 'kafka'
          ? ['--broker', ctx.addresses.kafkaBrokers, '--consul', ctx.addresses.consulAddr]
          : ['-a', ctx.addresses.redisUrl];
      const worker = await start(['lending-worker', `${ns}-w`, ...lendingConn, '--namespace', `${ns}.`]);
      await until(() => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited: ${worker.output()}`);
        return worker.output().includes('running on');
      }, `the lending worker on ${transport} to run`);

      const shop = `http://127.0.0.1:${shopPort}`;
      // One customer rich enough and one product with stock enough for every order: each runs the whole saga.
      await post(`${shop}/customer`, { id: 'rich', name: 'Rich', email: 'rich@example.com', balance: 1e9 });
      await post(`${shop}/product`, { id: 'p', name: 'Item', price: 1 });
      await post(`${shop}/inventory`, { id: 'row', product_id: 'p', amount: 1e6 });
      const order = async (count: number) => {
        let left = count;
        await Promise.all(
          Array.from({ length: CALLERS }, async () => {
            while (left-- > 0) await post(`${shop}/order`, { customer_id: 'rich', product_ids: ['p'] });
          }),
        );
      };
      // Warm-up: connections, metadata, the first batches of every decider.
      await order(50);
      await until(() => settled >= 50, 'warm-up orders to settle', 120_000, 5);
      await publishAll(bus, topics.commands, requests(200, `${ns}-warm`));
      await until(() => outcomes >= 200, 'warm-up lending outcomes', 120_000, 5);

      const ordersPerSec: number[] = [];
      const decided: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        // A: n orders from CALLERS concurrent clients, until every final status is in the log.
        const settledBefore = settled;
        let t0 = performance.now();
        await order(n);
        await until(() => settled >= settledBefore + n, `${n} orders to settle`, 600_000, 5);
        ordersPerSec.push(n / ((performance.now() - t0) / 1000));
        // B: a lending backlog decided by one worker (as bench/decider.ts).
        const before = outcomes;
        t0 = performance.now();
        await publishAll(bus, topics.commands, requests(lendingN, `${ns}-r${round}`));
        await until(() => outcomes >= before + lendingN, `${lendingN} lending outcomes`, 600_000, 5);
        decided.push(lendingN / ((performance.now() - t0) / 1000));
        ctx.log(
          `orders on ${transport}, round ${round}: ${Math.round(ordersPerSec.at(-1)!)} orders/s final, lending ${Math.round(decided.at(-1)!)} req/s decided`,
        );
      }
      await Promise.all(subs.map((s) => s.close()));
      figures.push(
        {
          label: `${transport}: orders POST /order -> final status (median of ${rounds})`,
          value: median(ordersPerSec),
          unit: 'orders/s',
        },
        {
          label: `${transport}: lending backlog decided, 1 worker (median of ${rounds})`,
          value: median(decided),
          unit: 'req/s',
        },
      );
      ratios.push(
        ratio(
          `Orders final / lending decided (${transport === 'kafka' ? 'Kafka' : 'Redis'})`,
          median(ordersPerSec),
          median(decided),
          'per s',
        ),
      );
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await bus.close();
    }
  }
  return {
    name: 'orders',
    title: '8. Orders: POST /order to the final status per second vs lending decided (interleaved, medians)',
    commands: [
      ...commands,
      `bench process, per round (${rounds} rounds, A B A B): A = ${n} POST /order to the shop from ${CALLERS} concurrent ` +
        'clients (one rich customer, one product with stock for all: every order runs reserve, charge, settle), timed until ' +
        `every order-status-changed is read back from the orders topic; B = ${lendingN} lending requests appended to ` +
        'lending-commands (as bench/decider.ts), timed until every outcome is read back',
    ],
    figures,
    ratios,
    notes: [
      'The shop and the three saga participants each run on platform/logDecider.ts (group commit); an order is four decisions (shop, inventory, accounts, orders) and a POST waits for the first.',
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(ordersBench);
