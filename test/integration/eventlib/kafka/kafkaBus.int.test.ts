import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventBus, newEvent, type EventBus } from '../../../../eventlib/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName } from '../../../helpers/wait.js';

const exec = promisify(execFile);
const { kafkaBrokers } = infra();

async function partitionsOf(topic: string): Promise<number> {
  const { stdout } = await exec('kcat', ['-L', '-b', kafkaBrokers, '-t', topic, '-J']);
  const metadata = JSON.parse(stdout) as { topics: { topic: string; partitions: unknown[] }[] };
  return metadata.topics.find((t) => t.topic === topic)?.partitions.length ?? 0;
}

/** The value stored at one position, read back with kcat (an independent client). */
async function valueAt(topic: string, partition: number, offset: string): Promise<string> {
  const { stdout } = await exec('kcat', [
    '-C',
    '-b',
    kafkaBrokers,
    '-t',
    topic,
    '-p',
    String(partition),
    '-o',
    offset,
    '-c',
    '1',
    '-e',
    '-q',
  ]);
  return stdout.trim();
}

describe('kafka bus specifics', () => {
  let bus: EventBus;
  afterAll(async () => bus?.close());

  it('creates topics with the requested partitions, and implicitly with the bus default', async () => {
    bus = await createEventBus({ kind: 'kafka', brokers: kafkaBrokers, partitions: 2 });
    const explicit = uniqueName('kafka-topic');
    await bus.ensureTopic(explicit, { partitions: 5 });
    await bus.ensureTopic(explicit, { partitions: 5 });
    await bus.ensureTopic(explicit); // no declared count: the existing topic as it is
    // A different declared count is refused (topics.int.test.ts); the topic keeps its partitions.
    await expect(bus.ensureTopic(explicit, { partitions: 9 })).rejects.toMatchObject({
      code: 'EVT_ERR_TOPIC_MISMATCH',
    });
    expect(await partitionsOf(explicit)).toBe(5);

    const implicit = uniqueName('kafka-topic');
    await bus.publish(implicit, [newEvent({ type: 'book-added', key: 'k', data: {} })]);
    expect(await partitionsOf(implicit)).toBe(2);
  });

  it('returns, for concurrent publish calls batched together, the exact position of every event', async () => {
    const topic = uniqueName('kafka-positions');
    await bus.ensureTopic(topic, { partitions: 3 });
    const calls = Array.from({ length: 20 }, (_, c) =>
      Array.from({ length: 5 }, (_, i) => newEvent({ type: 'book-added', key: `key-${(c + i) % 7}`, data: { c, i } })),
    );
    const results = await Promise.all(calls.map((events) => bus.publish(topic, events)));
    const all = results.flat();
    expect(new Set(all.map((p) => `${p.partition}/${p.offset}`)).size).toBe(100);
    // Spot-check positions against what an independent client reads there.
    for (const [c, i] of [
      [0, 0],
      [7, 3],
      [19, 4],
    ] as const) {
      const position = results[c]![i]!;
      const stored = JSON.parse(await valueAt(topic, position.partition, position.offset)) as { id: string };
      expect(stored.id).toBe(calls[c]![i]!.id);
    }
  });

  it('uses the envelope key as the Kafka message key (kcat sees it)', async () => {
    const topic = uniqueName('kafka-keys');
    const [p] = await bus.publish(topic, [newEvent({ type: 'book-added', key: 'book-42', data: {} })]);
    const { stdout } = await exec('kcat', [
      '-C',
      '-b',
      kafkaBrokers,
      '-t',
      topic,
      '-p',
      String(p!.partition),
      '-o',
      p!.offset,
      '-c',
      '1',
      '-e',
      '-q',
      '-f',
      '%k',
    ]);
    expect(stdout).toBe('book-42');
  });

  it('reports an unreachable cluster as EVT_ERR_CONNECTION', async () => {
    const started = Date.now();
    const err: unknown = await createEventBus({
      kind: 'kafka',
      brokers: '127.0.0.1:1',
      connectionTimeout: 200,
      // The first connection is retried for connectTimeoutMs (kafkajs's `retry` is for the requests after it).
      connectTimeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EVT_ERR_CONNECTION', retriable: true });
    expect((err as Error).message).toMatch(/^cannot reach Kafka at 127\.0\.0\.1:1 within 500 ms \(.*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
