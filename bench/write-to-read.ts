import { envInt, isMain, percentile, standalone, type BenchContext } from './lib/harness.js';
import { BOOKSHELF_SERVICES, startBookshelf, type Transport } from './lib/platform.js';
import { ratio, type BenchResult, type Figure, type Ratio } from './lib/report.js';

const VISIBLE_TIMEOUT_MS = 10_000;

async function post(url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Polls the view without any read-your-writes header until the last item is `id` (bounded in time). */
async function visible(viewUrl: string, id: string): Promise<void> {
  const deadline = performance.now() + VISIBLE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const list = (await (await fetch(viewUrl)).json()) as { id?: string }[];
    if (list.at(-1)?.id === id) return;
  }
  throw new Error(`book ${id} not visible in the last-read view within ${VISIBLE_TIMEOUT_MS} ms`);
}

/** 5. From a POST on the gateway (add, then finish a book) until the last-read view shows it, on Kafka and Redis. */
export async function writeToReadBench(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const n = envInt('BENCH_W2R_N', 200);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const commands: string[] = [];
  const p50s: Partial<Record<Transport, number>> = {};
  for (const transport of ['kafka', 'redis'] as const) {
    const platform = await startBookshelf(ctx.addresses, transport, [...BOOKSHELF_SERVICES, 'gateway']);
    commands.push(...platform.commands);
    try {
      const gw = (path: string) => platform.url('gateway', path);
      const whole: number[] = [];
      const finishToVisible: number[] = [];
      ctx.log(`write-to-read on ${transport}: ${n} add + finish commands`);
      for (let i = 0; i < n + 5; i++) {
        const t0 = performance.now();
        const added = await post(gw('/bookshelf/books'), { title: `Bench ${i}`, author: 'Bench' });
        if (added.status !== 201) throw new Error(`add answered ${added.status}: ${JSON.stringify(added.json)}`);
        const id = (added.json as { id: string }).id;
        const t1 = performance.now();
        const finished = await post(gw(`/bookshelf/books/${encodeURIComponent(id)}/finished`));
        if (finished.status !== 204)
          throw new Error(`finish answered ${finished.status}: ${JSON.stringify(finished.json)}`);
        await visible(platform.url('lastread'), id);
        const t2 = performance.now();
        if (i < 5) continue; // warm-up
        whole.push(t2 - t0);
        finishToVisible.push(t2 - t1);
      }
      whole.sort((a, b) => a - b);
      finishToVisible.sort((a, b) => a - b);
      p50s[transport] = percentile(whole, 50);
      figures.push(
        { label: `${transport}: add POST -> finish POST -> visible, p50`, value: percentile(whole, 50), unit: 'ms' },
        { label: `${transport}: add POST -> finish POST -> visible, p99`, value: percentile(whole, 99), unit: 'ms' },
        { label: `${transport}: finish POST -> visible, p50`, value: percentile(finishToVisible, 50), unit: 'ms' },
        { label: `${transport}: finish POST -> visible, p99`, value: percentile(finishToVisible, 99), unit: 'ms' },
      );
    } finally {
      await platform.stop();
    }
  }
  ratios.push(ratio('Write-to-read p50, Kafka / Redis (lower is better)', p50s.kafka!, p50s.redis!, 'ms'));
  return {
    name: 'write-to-read',
    title: '5. Write-to-read latency: gateway POST until visible in the last-read view',
    commands: [
      ...commands,
      `per command (sequential, ${n} measured after 5 warm-up, BENCH_W2R_N): POST /bookshelf/books -> 201, POST /bookshelf/books/<id>/finished -> 204, ` +
        'then GET lastreadbooks / in a loop (no bookshelf-after header) until the last item is that book',
    ],
    figures,
    ratios,
    notes: [
      'No raw-tool baseline exists for this path; the ratio compares the two transports. Each POST goes gateway -> Consul lookup -> service -> bus.',
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

if (isMain(import.meta.url)) await standalone(writeToReadBench);
