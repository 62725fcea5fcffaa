import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../docker/stack/local.js';
import { createEventBus, newEvent, type EventBus } from '../../eventlib/index.js';

/**
 * Issue 13, the loss that stayed open: after a SIGKILL of the broker mid-burst, a publish acknowledged with a
 * position whose event is not on the log (about one CI run in three). Found here: kafkajs keeps a partition's
 * sequence number after a failed request the broker had in fact written, so the next batch reuses that sequence,
 * the broker takes it for a retry of the written one, answers that one's offset and drops the new events. Before
 * the fix (a new producer id after any failed produce) about one round in three lost an acknowledged publish.
 */
// Before the fix 5 of 14 such rounds lost an acknowledged publish (the crash must land between the broker's append
// and its answer); 8 rounds find it with about 97% probability.
const ROUNDS = 8;
const CALLERS = 6;

interface RoundFigures {
  acknowledged: number;
  failed: number;
  onLog: number;
  /** Acknowledged ids that are not on the log. */
  lost: string[];
  /** Acknowledged ids found at another offset than the one their publish answered. */
  misplaced: string[];
}

async function readAll(kafka: Kafka, topic: string): Promise<Map<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = BigInt(end!.high);
  const byId = new Map<string, string>();
  if (high === 0n) return byId;
  const consumer = kafka.consumer({ groupId: `${topic}-audit` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: ({ message }) => {
        const { data } = JSON.parse(message.value!.toString()) as { data: { id: string } };
        byId.set(data.id, message.offset);
        if (BigInt(message.offset) + 1n >= high) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return byId;
}

describe('Kafka publish through a broker crash (eventlib, a stack of its own)', () => {
  let stack: LocalStack;
  let kafka: Kafka;
  beforeAll(async () => {
    stack = await startLocalStack({ reapWithOwner: true });
    kafka = new Kafka({ brokers: stack.addresses.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  }, 300_000);
  afterAll(() => stack?.stop());

  async function round(n: number): Promise<RoundFigures> {
    const topic = `publish-crash-${Date.now()}-${n}`;
    const bus: EventBus = await createEventBus({ kind: 'kafka', brokers: stack.addresses.kafkaBrokers });
    await bus.ensureTopic(topic, { partitions: 1 });
    const acknowledged = new Map<string, string>();
    let failed = 0;
    let stop = false;
    const caller = async (c: number) => {
      for (let i = 0; !stop; i++) {
        const id = `c${c}-${i}`;
        try {
          const [at] = await bus.publish(topic, [
            newEvent({ type: 'probe', key: 'k', data: { id }, producer: 'fault' }),
          ]);
          acknowledged.set(id, at!.offset);
        } catch {
          failed++; // refused while the broker is down; it may still be on the log (never counted as lost)
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const callers = Array.from({ length: CALLERS }, (_, c) => caller(c));
    // The crash at spread moments of the burst (1.2 s to 2.7 s in).
    await new Promise((r) => setTimeout(r, 1200 + ((n * 731) % 1500)));
    await stack.servers.kafka.kill();
    await stack.servers.kafka.start();
    await new Promise((r) => setTimeout(r, 4000));
    stop = true;
    await Promise.all(callers);
    await bus.close();
    const onLog = await readAll(kafka, topic);
    const figures = {
      acknowledged: acknowledged.size,
      failed,
      onLog: onLog.size,
      lost: [...acknowledged.keys()].filter((id) => !onLog.has(id)),
      misplaced: [...acknowledged].filter(([id, at]) => onLog.has(id) && onLog.get(id) !== at).map(([id]) => id),
    };
    console.log(`round ${n}: ${JSON.stringify(figures)}`);
    return figures;
  }

  it(`${ROUNDS} rounds of ${CALLERS} callers, the broker SIGKILLed and restarted mid-burst: every acknowledged event is on the log where its publish said`, async () => {
    const rounds: RoundFigures[] = [];
    for (let n = 0; n < ROUNDS; n++) rounds.push(await round(n));
    expect(rounds.every((r) => r.acknowledged > 0)).toBe(true);
    expect(
      rounds.some((r) => r.failed > 0),
      'the crashes were felt by the callers',
    ).toBe(true);
    expect(rounds.flatMap((r) => r.lost)).toEqual([]);
    expect(rounds.flatMap((r) => r.misplaced)).toEqual([]);
  }, 600_000);
});
