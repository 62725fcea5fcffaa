/**
 * Child process of bench/view-ingest.ts: a cold read model consuming a pre-produced topic from the beginning.
 * argv: <lastread|noop> <brokers> <topic> <expected events>. Prints one JSON line: { ms, firstMs (first event handled), handled, maxRssBytes }.
 */
import { bookshelfRegistry } from '../../aggregates/bookshelf/registry.js';
import { createRegistry } from '../../discolib/index.js';
import { lastReadService } from '../../views/bookshelf/lastReadService.js';
import { startReadModel } from '../../platform/index.js';
import { kafkaBus, quietLogger } from '../lib/buses.js';
import { until } from '../lib/proc.js';

const [mode, brokers, topic, expectedRaw] = process.argv.slice(2);
const expected = Number(expectedRaw);
const log = quietLogger();
const t0 = performance.now();
const bus = await kafkaBus(brokers!, `bench-ingest-${mode}`);
let readiness: () => { ready: boolean; checks?: Record<string, unknown> };
let stop: () => Promise<void>;
if (mode === 'lastread') {
  const component = await lastReadService(
    { bus, registry: createRegistry({ kind: 'memory' }), log, clock: () => new Date() },
    {
      identity: { name: 'lastreadbooks', id: 'bench', tags: [] },
      topic: topic!,
      group: `bench-lastread-${process.pid}`,
      last: 5,
    },
  );
  readiness = () => component.readiness() as { ready: boolean; checks?: Record<string, unknown> };
  stop = () => component.stop();
} else {
  const model = await startReadModel(bus, {
    topics: [topic!],
    group: `bench-noop-${process.pid}`,
    registry: bookshelfRegistry(),
    apply: () => true,
    log,
  });
  readiness = () => model.readiness();
  stop = () => model.stop();
}
let firstMs = 0;
const handled = await until(
  () => {
    const r = readiness();
    const n = Number(r.checks?.handled ?? 0);
    if (n > 0 && firstMs === 0) firstMs = performance.now() - t0;
    return r.ready && n >= expected ? n : 0;
  },
  `${expected} events handled`,
  600_000,
  5,
);
const ms = performance.now() - t0;
await stop();
await bus.close();
process.stdout.write(
  `${JSON.stringify({ ms, firstMs, handled, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
process.exit(0);
