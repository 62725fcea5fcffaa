import autocannon from 'autocannon';
import { freePort } from '../docker/stack/ports.js';
import { newEvent } from '../eventlib/index.js';
import { envInt, isMain, kafkaBus, standalone, type BenchContext } from './lib/harness.js';
import { BOOKSHELF_SERVICES, startBookshelf } from './lib/platform.js';
import { spawnChild, until, waitReady } from './lib/proc.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const CONNECTIONS = 10;

interface Load {
  reqPerSec: number;
  p99: number;
  p50: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, seconds: number): Promise<Load> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up (JIT, connections, caches)
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return { reqPerSec: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, non2xx: r.non2xx, errors: r.errors };
}

/** 4. GET / of lastreadbooks and the gateway's GET vs a bare fastify route returning the same JSON (autocannon). */
export async function httpBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const seconds = envInt('BENCH_HTTP_SECONDS', 10);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const platform = await startBookshelf(ctx.addresses, 'kafka', [...BOOKSHELF_SERVICES, 'gateway']);
  try {
    const bus = await kafkaBus(ctx.addresses.kafkaBrokers, 'bench-http-seed');
    const books = Array.from({ length: 10 }, (_, i) => ({ id: `book-${i}`, title: `Title ${i}`, author: 'Bench' }));
    await bus.publish(platform.topic, [
      ...books.map((b) => newEvent({ type: 'book-added', key: b.id, data: b, producer: 'bench' })),
      ...books.map((b) => newEvent({ type: 'book-read', key: b.id, data: { id: b.id }, producer: 'bench' })),
    ]);
    await bus.close();
    const body = await until(async () => {
      const text = await (await fetch(platform.url('lastread'))).text();
      return (JSON.parse(text) as unknown[]).length === 5 ? text : undefined;
    }, 'the view to list 5 books');
    const barePort = await freePort();
    const bare = spawnChild(process.execPath, ['--import', 'tsx', 'bench/children/bareServer.ts', String(barePort)], {
      env: { BENCH_BODY: body },
    });
    try {
      await waitReady(`http://127.0.0.1:${barePort}/`, bare);
      const targets = [
        { label: 'bare fastify GET / (same JSON)', url: `http://127.0.0.1:${barePort}/` },
        { label: 'lastreadbooks GET /', url: platform.url('lastread') },
        { label: 'gateway GET /bookshelf/books/last/read', url: platform.url('gateway', '/bookshelf/books/last/read') },
      ];
      const results: Load[] = [];
      for (const t of targets) {
        ctx.log(`http: autocannon ${t.url} for ${seconds} s`);
        const r = await load(t.url, seconds);
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${t.label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
        results.push(r);
        figures.push(
          { label: `${t.label}: requests/s`, value: r.reqPerSec, unit: 'req/s' },
          { label: `${t.label}: p50 latency`, value: r.p50, unit: 'ms' },
          { label: `${t.label}: p99 latency`, value: r.p99, unit: 'ms' },
        );
      }
      const [b, v, g] = results as [Load, Load, Load];
      ratios.push(
        ratio('HTTP lastreadbooks / bare fastify (req/s)', v.reqPerSec, b.reqPerSec, 'req/s'),
        ratio('HTTP gateway / bare fastify (req/s)', g.reqPerSec, b.reqPerSec, 'req/s'),
        ratio('HTTP lastreadbooks p99 / bare p99 (latency, lower is better)', v.p99, b.p99, 'ms'),
        ratio('HTTP gateway p99 / bare p99 (latency, lower is better)', g.p99, b.p99, 'ms'),
      );
    } finally {
      await bare.stop();
    }
    return {
      name: 'http',
      title: '4. HTTP: lastreadbooks and the gateway vs a bare fastify route (autocannon)',
      commands: [
        ...platform.commands,
        `node --import tsx bench/children/bareServer.ts <port>   # fastify, GET / -> the view's JSON, no schema/logging`,
        `autocannon({ url, connections: ${CONNECTIONS}, duration: 2 }) warm-up, then duration: ${seconds} (BENCH_HTTP_SECONDS), one target at a time`,
      ],
      figures,
      ratios,
      notes: [
        'The gateway resolves lastreadbooks through Consul and forwards each GET over HTTP (two hops); the view is seeded with 10 books.',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await platform.stop();
  }
}

if (isMain(import.meta.url)) await standalone(httpBench);
