import { createClient } from 'redis';
import { pino } from 'pino';
import { ack, createEventBus, type EventBus, type Subscription } from '../../../../eventlib/index.js';
import {
  parseLendingEvent,
  replay,
  type BookState,
  type LendingEvent,
  type LendingOutcome,
  type LendingSnapshot,
  type UserState,
} from '../../../../aggregates/lending/domain/index.js';
import { ensureLendingTopics, queueLending } from '../../../../aggregates/lending/service/queue.js';
import { lendingTopics, type LendingTopics } from '../../../../aggregates/lending/wire.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';
import { startCli, type CliProcess } from '../../../helpers/processes.js';

export interface TransportCase {
  readonly name: 'kafka' | 'redis';
  /** Connection flags of `bookshelf lending-worker` / `bookshelf books`. */
  flags(): string[];
  /** Connection flags of `bookshelf books`. */
  clientFlags(): string[];
  bus(): Promise<EventBus>;
}

const silent = pino({ level: 'silent' });

export const TRANSPORTS: TransportCase[] = [
  {
    name: 'kafka',
    flags: () => ['--broker', infra().kafkaBrokers, '--consul', infra().consulAddr],
    clientFlags: () => ['--broker', infra().kafkaBrokers],
    bus: () =>
      createEventBus({
        kind: 'kafka',
        brokers: infra().kafkaBrokers,
        clientId: 'lending-test',
        logger: silent,
        consumer: { sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 },
      }),
  },
  {
    name: 'redis',
    flags: () => ['-a', infra().redisUrl],
    clientFlags: () => ['-a', infra().redisUrl],
    bus: () => createEventBus({ kind: 'redis', url: infra().redisUrl, logger: silent, maxLen: null }),
  },
];

/** A fresh namespace: its own topics/streams, consumer groups and Redis keys. */
export function freshTopics(): { namespace: string; topics: LendingTopics } {
  const namespace = `${uniqueName('t')}-`;
  return { namespace, topics: lendingTopics(namespace) };
}

export async function queue(
  bus: EventBus,
  topics: LendingTopics,
  kind: 'request' | 'return',
  user: string,
  books: string[],
): Promise<string> {
  await ensureLendingTopics(bus, topics); // before anything creates them with the bus default count
  const queued = await queueLending(bus, topics, kind, { user, books }, { producer: 'test', clock: () => new Date() });
  if (!queued.ok) throw queued.error;
  return queued.requestId;
}

const OUTCOME_TYPES = new Set(['books-lent', 'lending-denied', 'books-returned']);

/** Every lending event appended so far, read from the beginning by a subscription of its own. */
export async function collectEvents(bus: EventBus, topics: LendingTopics) {
  await ensureLendingTopics(bus, topics);
  const events: LendingEvent[] = [];
  const subscription: Subscription = await bus.subscribe({
    topics: [topics.events],
    group: uniqueName('collect'),
    from: 'beginning',
    handler: (event) => {
      const parsed = parseLendingEvent(event);
      if (parsed) events.push(parsed);
      return ack();
    },
  });
  return {
    events: () => [...events],
    outcomes: (): LendingOutcome[] => events.filter((e): e is LendingOutcome => OUTCOME_TYPES.has(e.type)),
    /** requestId -> how many outcome events it got. */
    outcomeCounts(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const e of this.outcomes()) counts.set(e.data.requestId, (counts.get(e.data.requestId) ?? 0) + 1);
      return counts;
    },
    state: () => replay(events),
    close: () => subscription.close(),
  };
}

/** The aggregate state the Redis worker keeps as keys, as a snapshot comparable with `toSnapshot(replay(...))`. */
export async function redisStateSnapshot(topics: LendingTopics): Promise<LendingSnapshot> {
  const client = createClient({ url: infra().redisUrl });
  await client.connect();
  try {
    const books: Record<string, BookState> = {};
    const users: Record<string, UserState> = {};
    const outcomes: Record<string, LendingOutcome> = {};
    const shelving: Record<string, readonly string[]> = {};
    let storageUsed = 0;
    const prefix = `${topics.keyTag}:`;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      for (const key of keys) {
        const rest = key.slice(prefix.length);
        const at = rest.indexOf(':');
        const [kind, id] = at < 0 ? [rest, ''] : [rest.slice(0, at), rest.slice(at + 1)];
        const value = await client.get(key);
        if (value === null) continue;
        if (kind === 'book') books[id] = JSON.parse(value) as BookState;
        else if (kind === 'user') users[id] = JSON.parse(value) as UserState;
        else if (kind === 'outcome') outcomes[id] = JSON.parse(value) as LendingOutcome;
        else if (kind === 'shelving') shelving[id] = JSON.parse(value) as string[];
        else if (kind === 'storage') storageUsed = Number(value);
      }
    }
    const sorted = <V>(r: Record<string, V>) =>
      Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      books: sorted(books),
      users: sorted(users),
      outcomes: sorted(outcomes),
      shelving: sorted(shelving),
      storageUsed,
    };
  } finally {
    await client.close();
  }
}

/** Starts `bookshelf lending-worker <name>` and waits until it says it runs. */
export async function startWorker(name: string, args: string[]): Promise<CliProcess> {
  const worker = startCli(['lending-worker', name, ...args]);
  await waitFor(
    async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker ${name} exited early:\n${worker.output()}`);
      return worker.output().includes(`lending worker ${name} running`);
    },
    { timeoutMs: 30_000, what: `worker ${name} to start` },
  );
  return worker;
}
