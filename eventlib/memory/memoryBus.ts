import type { Logger } from 'pino';
import { IndexedDeadLetterSink } from '../consumer/deadLetterSink.js';
import { MessageProcessor, type ProcessResult } from '../consumer/processor.js';
import { createSubscriptionHandle, validateSubscribeOptions } from '../consumer/subscription.js';
import { toWireMessages, type Envelope } from '../envelope.js';
import { tracePublish } from '../tracing.js';
import { EventLibError, topicMismatchError } from '../errors.js';
import type { RawMessage } from '../ingest.js';
import type { MemoryBusOptions } from '../options.js';
import { deadLetterTopic, type EventBus, type Position, type SubscribeOptions, type Subscription } from '../port.js';
import { MemoryStore, type StoredRecord } from './store.js';

/** A message as `kcat -P` would write it: any bytes, optional key. */
export interface RawRecord {
  key?: string | null;
  value: string;
}

/**
 * The embedded event bus: topics of partitions in memory (optionally journaled to a file), consumer groups whose
 * members split the partitions, one handler call at a time per partition. Same contract as Kafka and Redis.
 */
export class MemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  readonly #options: Readonly<MemoryBusOptions>;
  readonly #store: MemoryStore;
  readonly #log: Logger;
  readonly #groups = new Map<string, MemoryGroup>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #deadLetters: IndexedDeadLetterSink;
  #roundRobin = 0;
  #closing: Promise<void> | undefined;
  #closed = false;

  private constructor(options: Readonly<MemoryBusOptions>, store: MemoryStore, log: Logger) {
    this.#options = options;
    this.#store = store;
    this.#log = log;
    this.#deadLetters = new IndexedDeadLetterSink(this, log);
  }

  static async create(options: Readonly<MemoryBusOptions>, log: Logger): Promise<MemoryEventBus> {
    const store = await MemoryStore.open({ file: options.file, flushIntervalMs: options.flushIntervalMs, log });
    return new MemoryEventBus(options, store, log);
  }

  /** With `partitions` declared, an existing topic with another count is EVT_ERR_TOPIC_MISMATCH. */
  async ensureTopic(name: string, options: { partitions?: number } = {}): Promise<void> {
    this.#assertOpen();
    const declared = options.partitions;
    if (!name || (declared !== undefined && (!Number.isInteger(declared) || declared < 1))) {
      throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `ensureTopic needs a name and partitions >= 1`);
    }
    await this.#store.ensureTopic(name, declared ?? this.#options.partitions);
    const actual = this.#store.partitions(name);
    if (declared !== undefined && actual !== declared) throw topicMismatchError(name, actual, declared);
  }

  /** Inside a PRODUCER span; envelopes without a trace context carry the span's (`tracing.ts`). */
  publish(topic: string, events: readonly Envelope[]): Promise<Position[]> {
    return tracePublish('memory', topic, events, (traced) => this.#publish(topic, traced));
  }

  async #publish(topic: string, events: readonly Envelope[]): Promise<Position[]> {
    this.#assertOpen();
    return this.#append(
      topic,
      toWireMessages(events, this.#options.maxEventBytes).map(({ key, value }) => ({ key, value })),
    );
  }

  /** Appends raw payloads as they are (the memory analogue of `kcat -P`): ingest rules and poison handling apply. */
  async publishRaw(topic: string, records: readonly RawRecord[]): Promise<Position[]> {
    this.#assertOpen();
    return this.#append(
      topic,
      records.map((r) => ({ key: r.key ?? null, value: r.value })),
    );
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    if (this.#closing) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closing');
    const o = validateSubscribeOptions(options);
    for (const topic of o.topics) {
      await this.ensureTopic(topic);
      if (!topic.endsWith('.dlq')) await this.ensureTopic(deadLetterTopic(topic));
    }
    const store = this.#store;
    let group = this.#groups.get(o.group);
    if (!group) this.#groups.set(o.group, (group = new MemoryGroup(o.group, store, this.#log)));
    const abort = new AbortController();
    const log = this.#log.child({ topics: o.topics, group: o.group });
    const processor = new MessageProcessor({
      ...o,
      deadLetters: this.#deadLetters,
      maxEventBytes: this.#options.maxEventBytes,
      log,
      signal: abort.signal,
    });
    const member = new MemoryMember(
      o.group,
      new Set(o.topics),
      processor,
      store,
      o.handleBatch === undefined ? 1 : o.maxBatch,
    );
    group.join(member, o.replay ? 'replay' : o.from);
    const g = group;
    const lag = () => g.lag(o.topics);
    const handle = createSubscriptionHandle({
      group: o.group,
      topics: o.topics,
      caughtUp: () => lag() === 0,
      lag: async () => lag(),
      hasProcessed: (p) => (store.position(o.group, p.topic, p.partition) ?? 0) > Number(p.offset),
      stats: () => processor.stats(),
      changes: store.changes,
      abort,
      stop: async () => {
        await g.leave(member);
        this.#subscriptions.delete(handle);
      },
    });
    this.#subscriptions.add(handle);
    log.debug({ from: o.from }, 'subscribed');
    return handle;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
      this.#closed = true;
      await this.#store.close();
    })();
    return this.#closing;
  }

  async #append(topic: string, records: { key: string | null; value: string }[]): Promise<Position[]> {
    if (!this.#store.hasTopic(topic)) await this.ensureTopic(topic);
    const partitions = this.#store.partitions(topic);
    const placed = records.map((r) => ({
      ...r,
      partition: r.key === null ? this.#roundRobin++ % partitions : partitionFor(r.key, partitions),
    }));
    const offsets = await this.#store.append(topic, placed);
    return placed.map((r, i) => ({ topic, partition: r.partition, offset: String(offsets[i]) }));
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closed');
  }
}

/** FNV-1a over the key's UTF-8 bytes: the same key always lands in the same partition. */
export function partitionFor(key: string, partitions: number): number {
  if (partitions <= 1) return 0;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** One subscription inside a group: handles what the group's partition loops hand it, and drains on leave. */
class MemoryMember {
  readonly #inFlight = new Set<Promise<ProcessResult>>();

  constructor(
    readonly group: string,
    readonly topics: ReadonlySet<string>,
    readonly processor: MessageProcessor,
    readonly store: MemoryStore,
    /** 1: one record per handler call; more: batch mode, up to this many records per call. */
    readonly maxBatch: number,
  ) {}

  /** Batch mode: `records` are consecutive from `offset`; committed together once the batch is done. */
  handleBatch(topic: string, partition: number, offset: number, records: StoredRecord[]): Promise<ProcessResult> {
    const messages: RawMessage[] = records.map((record, i) => ({
      topic,
      position: { topic, partition, offset: String(offset + i) },
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
    }));
    const work = this.processor.processBatch(messages).then((result) => {
      if (result === 'done') this.store.commit(this.group, topic, partition, offset + records.length);
      return result;
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  handle(topic: string, partition: number, offset: number, record: StoredRecord): Promise<ProcessResult> {
    const message: RawMessage = {
      topic,
      position: { topic, partition, offset: String(offset) },
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
    };
    const work = this.processor.process(message).then((result) => {
      if (result === 'done') this.store.commit(this.group, topic, partition, offset + 1);
      return result;
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}

/**
 * A consumer group: one loop per subscribed partition hands records, in order, to the member that owns the
 * partition (members subscribed to the topic, in join order, take partitions round-robin). A member that leaves
 * finishes its in-flight record first; the next record goes to the new owner.
 */
class MemoryGroup {
  readonly #members: MemoryMember[] = [];
  readonly #loops = new Map<string, Promise<void>>();

  constructor(
    readonly name: string,
    readonly store: MemoryStore,
    readonly log: Logger,
  ) {}

  join(member: MemoryMember, from: 'beginning' | 'latest' | 'replay'): void {
    for (const topic of member.topics) {
      for (let p = 0; p < this.store.partitions(topic); p++) {
        if (from === 'replay') {
          this.store.rewind(this.name, topic, p, 0);
        } else if (this.store.position(this.name, topic, p) === undefined) {
          this.store.commit(this.name, topic, p, from === 'latest' ? this.store.end(topic, p) : 0);
        }
      }
    }
    this.#members.push(member);
    this.store.changes.notify();
    for (const topic of member.topics) {
      for (let p = 0; p < this.store.partitions(topic); p++) {
        const key = `${topic}\u0000${p}`;
        if (!this.#loops.has(key)) {
          this.#loops.set(key, this.#run(topic, p, key));
        }
      }
    }
  }

  async leave(member: MemoryMember): Promise<void> {
    const index = this.#members.indexOf(member);
    if (index >= 0) this.#members.splice(index, 1);
    this.store.changes.notify();
    await member.drain();
  }

  /** Records not yet applied by the group in `topics`. */
  lag(topics: readonly string[]): number {
    let lag = 0;
    for (const topic of topics) {
      for (let p = 0; p < this.store.partitions(topic); p++) {
        lag += this.store.end(topic, p) - (this.store.position(this.name, topic, p) ?? 0);
      }
    }
    return lag;
  }

  #owner(topic: string, partition: number): MemoryMember | undefined {
    const candidates = this.#members.filter((m) => m.topics.has(topic));
    return candidates[partition % candidates.length];
  }

  async #run(topic: string, partition: number, key: string): Promise<void> {
    for (;;) {
      const owner = this.#owner(topic, partition);
      if (!owner) {
        // Deleted in the same tick as the check, so a member joining later always starts a fresh loop.
        this.#loops.delete(key);
        return;
      }
      const next = this.store.position(this.name, topic, partition) ?? 0;
      const record = this.store.record(topic, partition, next);
      if (!record) {
        await this.store.changes.wait();
        continue;
      }
      try {
        if (owner.maxBatch > 1) {
          const records = [record];
          for (
            let r;
            records.length < owner.maxBatch && (r = this.store.record(topic, partition, next + records.length));
          )
            records.push(r);
          await owner.handleBatch(topic, partition, next, records);
        } else await owner.handle(topic, partition, next, record);
      } catch (err) {
        // The processor never throws for bad input or handler failures; this is a bug, so keep it loud.
        this.log.error({ err, topic, partition, offset: next }, 'memory consumer loop failed; retrying the record');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}
