import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { infra } from '../../setup/infra.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

const exec = promisify(execFile);

describe('smoke: real Kafka broker', () => {
  const { kafkaBrokers } = infra();
  const kafka = new Kafka({ clientId: 'smoke', brokers: kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true });
  const groupId = uniqueName('smoke-group');
  const consumer = kafka.consumer({ groupId });
  const admin = kafka.admin();

  afterAll(async () => {
    await Promise.allSettled([producer.disconnect(), consumer.disconnect(), admin.disconnect()]);
  });

  it('produces with kafkajs, consumes through a consumer group, and kcat reads the same message', async () => {
    const topic = uniqueName('smoke');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.connect();
    const value = JSON.stringify({ hello: 'kafka', at: Date.now() });
    await producer.send({ topic, acks: -1, messages: [{ key: 'k1', value }] });

    const received: { key: string; value: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key!.toString(), value: message.value!.toString() });
      },
    });
    await waitFor(() => received.length > 0, { what: 'the consumer group to receive the message', timeoutMs: 30_000 });
    expect(received).toEqual([{ key: 'k1', value }]);

    // The group committed its position past the message.
    await waitFor(
      async () => {
        const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return t?.partitions.some((p) => p.offset === '1');
      },
      { what: 'the group to commit offset 1' },
    );

    const { stdout } = await exec('kcat', [
      '-C',
      '-b',
      kafkaBrokers,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k\t%s\n',
    ]);
    expect(stdout.trim()).toBe(`k1\t${value}`);
  });
});
