import type * as KafkaJs from 'kafkajs';
import type { Logger } from 'pino';
import { IndexedDeadLetterSink } from '../consumer/deadLetterSink.js';
import { validateSubscribeOptions } from '../consumer/subscription.js';
import { toWireMessages, type Envelope } from '../envelope.js';
import { tracePublish } from '../tracing.js';
import { EventLibError, topicMismatchError } from '../errors.js';
import type { KafkaBusOptions } from '../options.js';
import { deadLetterTopic, type EventBus, type Position, type SubscribeOptions, type Subscription } from '../port.js';
import { kafkaConfig, loadKafkaJs, type KafkaJsModule } from './client.js';
import { SerialAdmin, ensureTopicReady } from './admin.js';
import { reachKafka, withDeadline } from './connect.js';
import { translateKafkaError, translateOnEnsuredTopic } from './errors.js';
import { KafkaSubscription } from './subscription.js';

/** One produce request carries at most this many value bytes (Kafka's default message.max.bytes is ~1 MiB). */
const MAX_REQUEST_BYTES = 512 * 1024;
const MAX_REQUEST_MESSAGES = 5_000;
/** How long a topic may take to become usable after its creation (by this process or another). */
const TOPIC_READY_TIMEOUT_MS = 30_000;

interface PendingPublish {
  topic: string;
  messages: { key: string; value: string; partition: number }[];
  resolve: (positions: Position[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Kafka through kafkajs: an idempotent producer (acks=all, one request in flight per broker) whose publish calls
 * are batched while a request is in flight; consumer groups processing batches and committing only after outcomes.
 */
export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka' as const;
  readonly #kafkajs: KafkaJsModule;
  readonly #kafka: KafkaJs.Kafka;
  readonly #options: Readonly<KafkaBusOptions>;
  readonly #log: Logger;
  readonly #admin: KafkaJs.Admin;
  readonly #serialAdmin: SerialAdmin;
  #producer: KafkaJs.Producer;
  /** Set when a produce request failed: the producer's sequence numbers may no longer match the broker's. */
  #producerSuspect = false;
  readonly #partitioner: ReturnType<KafkaJs.ICustomPartitioner>;
  readonly #partitionCounts = new Map<string, Promise<number>>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #deadLetters: IndexedDeadLetterSink;
  #queue: PendingPublish[] = [];
  #sending: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;

  private constructor(kafkajs: KafkaJsModule, options: Readonly<KafkaBusOptions>, log: Logger) {
    this.#kafkajs = kafkajs;
    this.#options = options;
    this.#log = log;
    this.#kafka = new kafkajs.Kafka(kafkaConfig(kafkajs, options, log));
    this.#admin = this.#kafka.admin();
    this.#serialAdmin = new SerialAdmin(this.#admin);
    this.#producer = this.#newProducer();
    this.#partitioner = kafkajs.Partitioners.DefaultPartitioner();
    this.#deadLetters = new IndexedDeadLetterSink(this, log);
  }

  #newProducer(): KafkaJs.Producer {
    return this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: this.#kafkajs.Partitioners.DefaultPartitioner,
      // Unlimited retries keep the idempotent producer's ordering guarantees (publishTimeoutMs bounds the wait).
      retry: { ...this.#options.retry, retries: Number.MAX_SAFE_INTEGER },
    });
  }

  /**
   * After a failed produce request, a new producer (a new producer id, sequences from 0) before the next one.
   * kafkajs does not advance a partition's sequence number for a request that failed, although the broker may have
   * written it (the broker crashed after appending, before answering): the next request then reuses that sequence,
   * and the broker takes a batch with the same sequence range as a retry of the written one, answering its offset
   * and dropping the new events. Seen as acknowledged writes missing after a broker SIGKILL (issue 13); the Java
   * client bumps its epoch in the same case.
   */
  async #healthyProducer(): Promise<KafkaJs.Producer> {
    if (!this.#producerSuspect) return this.#producer;
    const old = this.#producer;
    this.#producer = this.#newProducer();
    this.#producerSuspect = false;
    await Promise.allSettled([old.disconnect()]);
    this.#log.info('a produce request failed: the idempotent producer starts over with a new producer id');
    try {
      await this.#producer.connect();
    } catch (err) {
      this.#producerSuspect = true;
      throw err;
    }
    return this.#producer;
  }

  /**
   * Reaches the cluster within `connectTimeoutMs` (see `reachKafka`), then connects the admin client and the
   * producer; EVT_ERR_CONNECTION when no broker answers in time, EVT_ERR_AUTH when the cluster refuses.
   */
  static async create(options: Readonly<KafkaBusOptions>, log: Logger): Promise<KafkaEventBus> {
    const kafkajs = await loadKafkaJs();
    await reachKafka(kafkajs, options, log);
    const bus = new KafkaEventBus(kafkajs, options, log);
    try {
      await withDeadline(
        (async () => {
          await bus.#admin.connect();
          await bus.#producer.connect();
        })(),
        options.connectTimeoutMs,
        `Connection timeout: not connected within ${options.connectTimeoutMs} ms`,
      );
    } catch (err) {
      await Promise.allSettled([bus.#admin.disconnect(), bus.#producer.disconnect()]);
      throw translateKafkaError(err, `connecting to Kafka at ${options.brokers.join(',')}`);
    }
    log.debug({ brokers: options.brokers, clientId: options.clientId }, 'connected');
    return bus;
  }

  /**
   * Creates the topic when missing and resolves once its metadata is visible. With `partitions` declared, an
   * existing topic with another count is EVT_ERR_TOPIC_MISMATCH; without (publish, subscribe), it is used as is.
   */
  async ensureTopic(name: string, options: { partitions?: number } = {}): Promise<void> {
    this.#assertOpen();
    const declared = options.partitions;
    if (!name || (declared !== undefined && (!Number.isInteger(declared) || declared < 1))) {
      throw new EventLibError('EVT_ERR_INVALID_OPTIONS', 'ensureTopic needs a name and partitions >= 1');
    }
    await this.#partitionsOf(name, declared);
  }

  /** The topic's partition count, ensuring the topic once per bus (concurrent callers share the one check). */
  async #partitionsOf(topic: string, declared?: number): Promise<number> {
    let known = this.#partitionCounts.get(topic);
    if (!known) {
      const checking = ensureTopicReady(
        this.#serialAdmin,
        {
          topic,
          partitions: declared ?? this.#options.partitions,
          replicationFactor: this.#options.replicationFactor,
          timeoutMs: Math.max(TOPIC_READY_TIMEOUT_MS, this.#options.requestTimeout),
        },
        this.#log,
      );
      known = checking;
      this.#partitionCounts.set(topic, checking);
      checking.catch(() => {
        if (this.#partitionCounts.get(topic) === checking) this.#partitionCounts.delete(topic);
      });
    }
    const count = await known;
    if (declared !== undefined && count !== declared) throw topicMismatchError(topic, count, declared);
    return count;
  }

  /** Inside a PRODUCER span; envelopes without a trace context carry the span's (`tracing.ts`). */
  publish(topic: string, events: readonly Envelope[]): Promise<Position[]> {
    return tracePublish('kafka', topic, events, (traced) => this.#publish(topic, traced));
  }

  async #publish(topic: string, events: readonly Envelope[]): Promise<Position[]> {
    this.#assertOpen();
    const wire = toWireMessages(events, this.#options.maxEventBytes);
    if (wire.length === 0) return [];
    const count = await this.#partitionsOf(topic);
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [],
      isr: [],
    }));
    const messages = wire.map(({ key, value }) => ({
      key,
      value,
      partition: this.#partitioner({ topic, partitionMetadata, message: { key, value } }),
    }));
    const timeoutMs = this.#options.publishTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    return new Promise<Position[]>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EventLibError(
              'EVT_ERR_TIMEOUT',
              `publishing to ${topic}: not acknowledged within ${timeoutMs} ms (the events may still be written)`,
            ),
          ),
        timeoutMs,
      );
      this.#queue.push({ topic, messages, resolve, reject });
      this.#sending ??= this.#drainQueue();
    }).finally(() => clearTimeout(timer));
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    if (this.#closing) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closing');
    const o = validateSubscribeOptions(options);
    for (const topic of o.topics) {
      await this.ensureTopic(topic);
      if (!topic.endsWith('.dlq')) await this.ensureTopic(deadLetterTopic(topic));
    }
    const subscription = new KafkaSubscription({
      kafkajs: this.#kafkajs,
      kafka: this.#kafka,
      admin: this.#serialAdmin,
      options: this.#options,
      subscribe: o,
      deadLetters: this.#deadLetters,
      log: this.#log.child({ topics: o.topics, group: o.group }),
      onClosed: (s) => this.#subscriptions.delete(s),
    });
    const handle = await subscription.start();
    this.#subscriptions.add(handle);
    return handle;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
      while (this.#sending) await this.#sending;
      this.#closed = true;
      await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
      this.#log.debug('closed');
    })();
    return this.#closing;
  }

  /** Sends queued publishes; calls made while a request is in flight go out together in the next one. */
  async #drainQueue(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const pending = this.#queue;
        this.#queue = [];
        await this.#sendAll(pending);
      }
    } finally {
      this.#sending = undefined;
    }
  }

  /**
   * Sends publishes in order, in produce requests of bounded size (a large publish spans several requests, sent one
   * after another). A publish resolves when all its messages are acknowledged and rejects if any request failed.
   */
  async #sendAll(pending: PendingPublish[]): Promise<void> {
    const positions = pending.map((p) => new Array<Position>(p.messages.length));
    const failed = new Map<number, unknown>();
    let chunk: { p: number; m: number }[] = [];
    let bytes = 0;
    const flush = async () => {
      const items = chunk.filter((item) => !failed.has(item.p));
      chunk = [];
      bytes = 0;
      if (items.length === 0) return;
      try {
        const produced = await this.#produce(
          items.map(({ p, m }) => ({ topic: pending[p]!.topic, ...pending[p]!.messages[m]! })),
        );
        items.forEach(({ p, m }, k) => (positions[p]![m] = produced[k]!));
      } catch (err) {
        for (const { p } of items) failed.set(p, err);
      }
    };
    for (const [p, publish] of pending.entries()) {
      for (const [m, message] of publish.messages.entries()) {
        const size = message.value.length + message.key.length;
        if (chunk.length > 0 && (bytes + size > MAX_REQUEST_BYTES || chunk.length >= MAX_REQUEST_MESSAGES))
          await flush();
        chunk.push({ p, m });
        bytes += size;
      }
    }
    await flush();
    pending.forEach((publish, p) =>
      failed.has(p)
        ? publish.reject(translateOnEnsuredTopic(failed.get(p), 'publishing'))
        : publish.resolve(positions[p]!),
    );
  }

  /** One produce request; returns each message's position (same order). */
  async #produce(items: { topic: string; key: string; value: string; partition: number }[]): Promise<Position[]> {
    // Messages of one topic-partition are appended in request order from the partition's base offset.
    const byTopic = new Map<string, KafkaJs.Message[]>();
    const counters = new Map<string, number>();
    const indexInPartition = items.map(({ topic, key, value, partition }) => {
      const messages = byTopic.get(topic) ?? [];
      byTopic.set(topic, messages);
      messages.push({ key, value, partition });
      const counter = `${topic}\u0000${partition}`;
      const index = counters.get(counter) ?? 0;
      counters.set(counter, index + 1);
      return index;
    });
    const producer = await this.#healthyProducer();
    let metadata: KafkaJs.RecordMetadata[];
    try {
      metadata = await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      this.#producerSuspect = true;
      throw err;
    }
    const base = new Map<string, bigint>();
    for (const m of metadata) {
      const offset = m.baseOffset ?? m.offset;
      if (offset !== undefined) base.set(`${m.topicName}\u0000${m.partition}`, BigInt(offset));
    }
    return items.map(({ topic, partition }, i) => {
      const start = base.get(`${topic}\u0000${partition}`);
      if (start === undefined) {
        throw new EventLibError('EVT_ERR_BROKER', `Kafka returned no offset for ${topic}/${partition}`);
      }
      return { topic, partition, offset: (start + BigInt(indexInPartition[i]!)).toString() };
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closed');
  }
}
