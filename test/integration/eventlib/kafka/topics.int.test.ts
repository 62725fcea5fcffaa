import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, newEvent, type Envelope, type EventBus } from '../../../../eventlib/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';

const exec = promisify(execFile);
const { kafkaBrokers } = infra();

async function partitionsOf(topic: string): Promise<number> {
  const { stdout } = await exec('kcat', ['-L', '-b', kafkaBrokers, '-t', topic, '-J']);
  const metadata = JSON.parse(stdout) as { topics: { topic: string; partitions: unknown[] }[] };
  return metadata.topics.find((t) => t.topic === topic)?.partitions.length ?? 0;
}

let buses: EventBus[] = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- restored as is, and called with apply below
const realAdmin = kafkajs.Kafka.prototype.admin;
afterEach(async () => {
  kafkajs.Kafka.prototype.admin = realAdmin;
  await Promise.allSettled(buses.map((b) => b.close()));
  buses = [];
});

/** A kafkajs protocol error exactly as kafkajs builds it from a broker's error code. */
const protocolError = (type: string, message: string): Error =>
  new kafkajs.KafkaJSProtocolError({ type, code: 0, retriable: true, message } as never);

/**
 * Makes every admin client created from now on see, for `topic`, what a broker reports while a topic another
 * process just created is not yet in its metadata: createTopics answers "already exists" (it does, on the
 * controller), then metadata requests fail with UNKNOWN_TOPIC_OR_PARTITION and LEADER_NOT_AVAILABLE a few times.
 * The real broker answers everything else (and the topic really is created, by the first call).
 */
function injectFreshTopicFaults(topic: string): void {
  kafkajs.Kafka.prototype.admin = function (this: kafkajs.Kafka, ...args: Parameters<kafkajs.Kafka['admin']>) {
    const admin = realAdmin.apply(this, args);
    const createTopics = admin.createTopics.bind(admin);
    const fetchTopicMetadata = admin.fetchTopicMetadata.bind(admin);
    const faults: Error[] = [
      protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition'),
      protocolError('LEADER_NOT_AVAILABLE', 'There is no leader for this topic-partition'),
      protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition'),
    ];
    admin.createTopics = async (options) => {
      if (!options.topics.some((t) => t.topic === topic)) return createTopics(options);
      await createTopics({ ...options, waitForLeaders: false }).catch(() => false);
      // kafkajs's own wait for leaders runs into the broker that does not know the topic yet.
      if (options.waitForLeaders !== false)
        throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition');
      return false; // as if another service had won the race
    };
    admin.fetchTopicMetadata = async (options) => {
      if (options?.topics?.includes(topic) && faults.length > 0) throw faults.shift()!;
      return fetchTopicMetadata(options);
    };
    return admin;
  };
}

describe('kafka topic creation (many services starting at once on a fresh topic)', () => {
  it('lets 8 bus instances ensure, subscribe and publish one fresh topic concurrently; all succeed with the declared count', async () => {
    // Each bus is a "service": its own kafkajs clients and admin, as separate processes would have. The bus default
    // (3) differs from the declared count (2), so a topic created with the wrong count would show.
    buses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createEventBus({ kind: 'kafka', brokers: kafkaBrokers, clientId: `race-${i}`, partitions: 3 }),
      ),
    );
    const topic = uniqueName('kafka-race');
    const seen = new Map<number, Set<string>>();
    const published: Envelope[] = [];
    const results = await Promise.allSettled(
      buses.map(async (bus, i) => {
        await bus.ensureTopic(topic, { partitions: 2 });
        if (i % 2 === 0) {
          const ids = new Set<string>();
          seen.set(i, ids);
          return bus.subscribe({ topics: [topic], group: uniqueName(`race-${i}`), handler: (e) => void ids.add(e.id) });
        }
        const events = [newEvent({ type: 'book-added', key: `k${i}`, data: { i } })];
        published.push(...events);
        return bus.publish(topic, events);
      }),
    );
    const failures = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
    expect(failures).toEqual([]);
    expect(await partitionsOf(topic)).toBe(2);
    for (const ids of seen.values()) {
      await waitFor(() => published.every((e) => ids.has(e.id)), { what: 'every subscriber to see every event' });
    }
  });

  it('retries the transient metadata errors a fresh topic shows (already exists, does not host, no leader) until it is visible', async () => {
    const topic = uniqueName('kafka-fresh');
    injectFreshTopicFaults(topic);
    const bus = await createEventBus({ kind: 'kafka', brokers: kafkaBrokers, partitions: 3 });
    buses.push(bus);
    await bus.ensureTopic(topic, { partitions: 2 });
    expect(await partitionsOf(topic)).toBe(2);
    const [p] = await bus.publish(topic, [newEvent({ type: 'book-added', key: 'k', data: {} })]);
    expect(p!.partition).toBeLessThan(2);
  });

  it('refuses, with EVT_ERR_TOPIC_MISMATCH naming both numbers, a declared count that differs from the topic (from another bus too)', async () => {
    const owner = await createEventBus({ kind: 'kafka', brokers: kafkaBrokers, partitions: 3 });
    buses.push(owner);
    const topic = uniqueName('kafka-mismatch');
    // A subscriber created it implicitly with the bus default (3) before its owner declared 1.
    await owner.publish(topic, [newEvent({ type: 'book-added', key: 'k', data: {} })]);
    const declared = owner.ensureTopic(topic, { partitions: 1 });
    await expect(declared).rejects.toMatchObject({ code: 'EVT_ERR_TOPIC_MISMATCH', retriable: false });
    await expect(declared).rejects.toThrow(new RegExp(`${topic}.*3 partitions.*1`));

    const other = await createEventBus({ kind: 'kafka', brokers: kafkaBrokers, partitions: 1 });
    buses.push(other);
    await expect(other.ensureTopic(topic, { partitions: 1 })).rejects.toMatchObject({
      code: 'EVT_ERR_TOPIC_MISMATCH',
    });
    // Without a declared count (publish and subscribe), the existing topic is used as it is.
    await other.ensureTopic(topic);
    await other.publish(topic, [newEvent({ type: 'book-added', key: 'k', data: {} })]);
    expect(await partitionsOf(topic)).toBe(3);
  });
});
