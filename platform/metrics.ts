import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Envelope, EventBus, Position, SubscribeOptions, Subscription } from '../eventlib/index.js';
import { metricsRegistry } from '../restlib/index.js';

/**
 * The platform's Prometheus series, on the process registry (restlib's `metricsRegistry()`, served at `/metrics`):
 * per subscription (lag, caught-up, handled, retried, dead-lettered, poison), publish latency per topic, per
 * decider (commands decided, batch sizes, decision latency), and the instances the gateway sees per service.
 * Values are read from the live objects when Prometheus scrapes.
 */
type Sub = { group: string; topics: string; sub: Subscription };

const subscriptions = new Set<Sub>();
const deciders = new Set<{ name: string; stats: () => DeciderCounters }>();
const upstreamSources = new Set<() => Record<string, number>>();

export interface DeciderCounters {
  decided: number;
  duplicates: number;
  deadLettered: number;
  batches: number;
}

let registered: Registry | undefined;
let publishSeconds: Histogram<'topic'>;
let batchSize: Histogram<'decider'>;
let decisionSeconds: Histogram<'decider'>;

/** Lag read at scrape time is bounded: a broker that does not answer leaves the series out, it does not hang. */
const LAG_TIMEOUT_MS = 1000;

function ensureRegistered(): void {
  const registry = metricsRegistry();
  if (registered === registry) return;
  registered = registry;
  const registers = [registry];
  const subLabels = ['group', 'topics'] as const;
  const fromStats = (name: string, help: string, pick: (s: ReturnType<Subscription['stats']>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: subLabels,
      registers,
      collect() {
        this.reset();
        for (const s of subscriptions) this.labels(s.group, s.topics).set(pick(s.sub.stats()));
      },
    });
  new Gauge({
    name: 'bookshelf_subscription_lag',
    help: 'Events in the log the subscription has not applied yet',
    labelNames: subLabels,
    registers,
    async collect() {
      this.reset();
      await Promise.all(
        [...subscriptions].map(async (s) => {
          const lag = await Promise.race([
            s.sub.lag().catch(() => undefined),
            new Promise<undefined>((r) => setTimeout(() => r(undefined), LAG_TIMEOUT_MS).unref()),
          ]);
          if (lag !== undefined) this.labels(s.group, s.topics).set(lag);
        }),
      );
    },
  });
  new Gauge({
    name: 'bookshelf_subscription_caught_up',
    help: '1 when the subscription has applied everything it knows of',
    labelNames: subLabels,
    registers,
    collect() {
      this.reset();
      for (const s of subscriptions) this.labels(s.group, s.topics).set(s.sub.caughtUp() ? 1 : 0);
    },
  });
  fromStats('bookshelf_subscription_handled_events', 'Events whose outcome was applied', (s) => s.handled);
  fromStats('bookshelf_subscription_retried_events', 'Handler attempts that failed and were retried', (s) => s.retried);
  fromStats(
    'bookshelf_subscription_dead_lettered_events',
    'Events dead-lettered by the handler',
    (s) => s.deadLettered,
  );
  fromStats(
    'bookshelf_subscription_poison_events',
    'Messages that could not be decoded (dead-lettered)',
    (s) => s.poison,
  );
  publishSeconds = new Histogram({
    name: 'bookshelf_publish_seconds',
    help: 'Time until a publish is durable (acks=all on Kafka, XADD on Redis)',
    labelNames: ['topic'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers,
  });
  const deciderGauge = (name: string, help: string, pick: (c: DeciderCounters) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['decider'],
      registers,
      collect() {
        this.reset();
        for (const d of deciders) this.labels(d.name).set(pick(d.stats()));
      },
    });
  deciderGauge('bookshelf_decider_commands_decided', 'Commands whose events were appended', (c) => c.decided);
  deciderGauge('bookshelf_decider_duplicates', 'Redelivered commands that decided nothing', (c) => c.duplicates);
  deciderGauge('bookshelf_decider_dead_lettered', 'Malformed or rejected commands', (c) => c.deadLettered);
  deciderGauge('bookshelf_decider_batches', 'Batches appended', (c) => c.batches);
  batchSize = new Histogram({
    name: 'bookshelf_decider_batch_size',
    help: 'Commands per batch',
    labelNames: ['decider'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
    registers,
  });
  decisionSeconds = new Histogram({
    name: 'bookshelf_decider_batch_seconds',
    help: 'Time to decide, append and fold one batch',
    labelNames: ['decider'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers,
  });
  new Gauge({
    name: 'bookshelf_gateway_upstream_instances',
    help: 'Passing instances the gateway knows per service',
    labelNames: ['service'],
    registers,
    collect() {
      this.reset();
      for (const source of upstreamSources)
        for (const [service, n] of Object.entries(source())) this.labels(service).set(n);
    },
  });
}

/** The bus with its publishes timed and its subscriptions reported (until they close). */
export function instrumentBus(bus: EventBus): EventBus {
  ensureRegistered();
  // Made once: the publish path is hot, so no wrapper or bound function per call.
  const publish = async (topic: string, events: readonly Envelope[]): Promise<Position[]> => {
    const end = publishSeconds.startTimer({ topic });
    try {
      return await bus.publish(topic, events);
    } finally {
      end();
    }
  };
  const subscribe = async (options: SubscribeOptions): Promise<Subscription> => {
    const sub = await bus.subscribe(options);
    const entry = { group: options.group, topics: [...options.topics].join(','), sub };
    subscriptions.add(entry);
    const close = sub.close.bind(sub);
    return Object.assign(Object.create(sub) as Subscription, {
      close: async () => {
        subscriptions.delete(entry);
        await close();
      },
    });
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(bus, {
    get(target, prop) {
      if (prop === 'publish') return publish;
      if (prop === 'subscribe') return subscribe;
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      if (!bound.has(prop)) bound.set(prop, (value as (...a: unknown[]) => unknown).bind(target));
      return bound.get(prop);
    },
  });
}

/** Reports a decider's counters; returns how to observe each batch, and how to stop reporting. */
export function trackDecider(name: string, stats: () => DeciderCounters) {
  ensureRegistered();
  const entry = { name, stats };
  deciders.add(entry);
  return {
    batch(commands: number, seconds: number) {
      batchSize.labels(name).observe(commands);
      decisionSeconds.labels(name).observe(seconds);
    },
    untrack: () => void deciders.delete(entry),
  };
}

/** Reports the instances a gateway sees; returns how to stop. */
export function trackUpstreams(known: () => Record<string, number>): () => void {
  ensureRegistered();
  upstreamSources.add(known);
  return () => void upstreamSources.delete(known);
}
