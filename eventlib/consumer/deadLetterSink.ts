import type { Logger } from 'pino';
import type { Envelope } from '../envelope.js';
import { describeError, isEventLibError } from '../errors.js';
import type { Publisher, Subscriber, Subscription } from '../port.js';
import type { DeadLetterData } from './deadLetter.js';

/**
 * Where the consumer loop writes dead-letter records. A record's id is stable per poison message (topic,
 * partition, offset) and per (group, message) for what a handler gave up on, so "already there" is a question
 * about ids: a sink writes a record only if the dead-letter topic holds none with its id yet.
 */
export interface DeadLetterSink {
  /** Writes `record` to the dead-letter topic `topic`, unless it already holds a record with the same id. */
  write(topic: string, record: Envelope<DeadLetterData>): Promise<'written' | 'duplicate'>;
}

/** The (fixed) group name of the index subscriptions; on Kafka each gets a replay group of its own. */
export const DEAD_LETTER_INDEX_GROUP = 'eventlib.dead-letter-index';
/** How long a write waits for the index to read the dead-letter topic up to its current end. */
const INDEX_WAIT_MS = 10_000;

interface TopicIndex {
  ids: Set<string>;
  subscription: Subscription;
}

/**
 * Kafka and memory: a per-bus index of the record ids on each dead-letter topic, built on first need by a replay
 * subscription that reads the topic from its start and keeps following it (so records other processes write are
 * seen too). Before each write the index is brought up to the topic's current end and consulted; writes of one bus
 * run one at a time per topic. Exact within one process (memory: always); across Kafka processes, two that decide on
 * the same message within the moment between one's check and its write becoming visible to the other may both write
 * (the ids are equal, so readers can drop the copy). If the index cannot be read in time, the record is written
 * anyway: a recognisable duplicate is better than a lost dead letter.
 */
export class IndexedDeadLetterSink implements DeadLetterSink {
  readonly #bus: Publisher & Subscriber;
  readonly #log: Logger;
  readonly #indexes = new Map<string, Promise<TopicIndex>>();
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(bus: Publisher & Subscriber, log: Logger) {
    this.#bus = bus;
    this.#log = log;
  }

  write(topic: string, record: Envelope<DeadLetterData>): Promise<'written' | 'duplicate'> {
    const previous = this.#queues.get(topic) ?? Promise.resolve();
    const next = previous.then(() => this.#write(topic, record));
    const tail = next.catch(() => undefined);
    this.#queues.set(topic, tail);
    void tail.then(() => {
      if (this.#queues.get(topic) === tail) this.#queues.delete(topic);
    });
    return next;
  }

  async #write(topic: string, record: Envelope<DeadLetterData>): Promise<'written' | 'duplicate'> {
    let index: TopicIndex | undefined;
    try {
      index = await this.#index(topic);
      await index.subscription.waitUntilCaughtUp(INDEX_WAIT_MS);
    } catch (err) {
      if (isEventLibError(err, 'EVT_ERR_CLOSED')) throw err;
      this.#log.warn(
        { err: describeError(err), dlq: topic },
        'could not read the dead-letter topic in time; writing without the duplicate check',
      );
    }
    if (index?.ids.has(record.id)) return 'duplicate';
    await this.#bus.publish(topic, [record]);
    index?.ids.add(record.id);
    return 'written';
  }

  #index(topic: string): Promise<TopicIndex> {
    let index = this.#indexes.get(topic);
    if (!index) {
      const ids = new Set<string>();
      const loading = this.#bus
        .subscribe({
          topics: [topic],
          group: DEAD_LETTER_INDEX_GROUP,
          replay: true,
          handler: (event) => {
            ids.add(event.id);
          },
        })
        .then((subscription) => ({ ids, subscription }));
      index = loading;
      this.#indexes.set(topic, loading);
      loading.catch(() => {
        if (this.#indexes.get(topic) === loading) this.#indexes.delete(topic);
      });
    }
    return index;
  }
}
