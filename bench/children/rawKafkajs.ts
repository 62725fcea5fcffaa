/**
 * Child process of bench/view-ingest.ts: the client-library bound. A bare kafkajs 2.2.4 consumer reads the topic
 * from the beginning and JSON.parses every value (no eventlib, no validation, no commits).
 * argv: <brokers> <topic> <expected events>. Prints one JSON line: { ms, handled, maxRssBytes }.
 */
import { Kafka, logLevel } from 'kafkajs';

const [brokers, topic, expectedRaw] = process.argv.slice(2);
const expected = Number(expectedRaw);
const t0 = performance.now();
const kafka = new Kafka({ brokers: brokers!.split(','), clientId: 'bench-raw-kafkajs', logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `bench-raw-kafkajs-${process.pid}`, maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topics: [topic!], fromBeginning: true });
let handled = 0;
let done: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (done = resolve));
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    for (const message of batch.messages) {
      JSON.parse(message.value?.toString('utf8') ?? 'null');
      handled++;
    }
    if (handled >= expected) done();
  },
});
const timeout = setTimeout(() => done(), 600_000);
await finished;
clearTimeout(timeout);
const ms = performance.now() - t0;
await consumer.disconnect();
process.stdout.write(`${JSON.stringify({ ms, handled, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
process.exit(handled >= expected ? 0 : 1);
