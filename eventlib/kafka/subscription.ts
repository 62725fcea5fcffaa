import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type * as KafkaJs from 'kafkajs';
import type { Logger } from 'pino';
import { MessageProcessor } from '../consumer/processor.js';
import { ProcessedOffsets, numericOffsetOrder } from '../consumer/progress.js';
import { createSubscriptionHandle, type ValidSubscribeOptions } from '../consumer/subscription.js';
import type { RawMessage } from '../ingest.js';
import { backoffDelay, sleep } from '../retry.js';
import type { KafkaBusOptions } from '../options.js';
import type { Position, Subscription } from '../port.js';
import type { DeadLetterSink } from '../consumer/deadLetterSink.js';
import type { SerialAdmin } from './admin.js';
import type { KafkaJsModule } from './client.js';
import { isTopicNotReadyError, translateKafkaError, translateOnEnsuredTopic } from './errors.js';

/** Commit resolved offsets during a long batch at least this often (and after every batch). */
const COMMIT_EVERY_MS = 1_000;
const COMMIT_EVERY_MESSAGES = 200;

export interface KafkaSubscriptionDeps {
  kafkajs: KafkaJsModule;
  kafka: KafkaJs.Kafka;
  admin: SerialAdmin;
  options: Readonly<KafkaBusOptions>;
  subscribe: ValidSubscribeOptions;
  deadLetters: DeadLetterSink;
  log: Logger;
  onClosed: (subscription: Subscription) => void;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * One consumer-group member. Batches are processed message by message per partition; an offset is resolved only
 * after its outcome is applied, and kafkajs commits resolved offsets during and after each batch. Lag and
 * caught-up cover the partitions assigned to this member, measured against the log end fetched on every
 * assignment and refreshed by each batch's high watermark.
 */
export class KafkaSubscription {
  readonly #deps: KafkaSubscriptionDeps;
  readonly #consumer: KafkaJs.Consumer;
  readonly #abort = new AbortController();
  readonly #processed = new ProcessedOffsets(numericOffsetOrder);
  readonly #processor: MessageProcessor;
  /** topic -> partitions assigned to this member; undefined while (re)joining. */
  #assignment: Record<string, number[]> | undefined;
  /** True once the committed and end offsets of the current assignment are known. */
  #assignmentReady = false;
  #assignmentLoad: Promise<void> = Promise.resolve();
  #generation = 0;
  /** High watermark (next offset) per topic-partition. */
  readonly #ends = new Map<string, bigint>();
  /** Where partitions start on the first assignment: `latest` (fresh partitions: the log end when subscribing), `replay` (all: the log start). */
  readonly #startOverride = new Map<string, string>();
  /**
   * The Kafka group id: the group's name, or for `replay` a group of its own (`<group>.replay.<random>`), which
   * commits nothing and so disappears once empty. A restarted replaying view then joins at once, instead of waiting
   * for its killed predecessor's session to time out in a shared group.
   */
  readonly #groupId: string;
  readonly #commits: boolean;

  constructor(deps: KafkaSubscriptionDeps) {
    this.#deps = deps;
    const c = deps.options.consumer;
    this.#commits = !deps.subscribe.replay;
    this.#groupId = deps.subscribe.replay
      ? `${deps.subscribe.group}.replay.${randomBytes(6).toString('hex')}`
      : deps.subscribe.group;
    this.#consumer = deps.kafka.consumer({
      groupId: this.#groupId,
      sessionTimeout: c.sessionTimeout,
      heartbeatInterval: c.heartbeatInterval,
      rebalanceTimeout: c.rebalanceTimeout,
      maxWaitTimeInMs: c.maxWaitTimeInMs,
      allowAutoTopicCreation: false,
    });
    this.#processor = new MessageProcessor({
      ...deps.subscribe,
      deadLetters: deps.deadLetters,
      maxEventBytes: deps.options.maxEventBytes,
      log: deps.log,
      signal: this.#abort.signal,
    });
  }

  async start(): Promise<Subscription> {
    const { subscribe: o, log } = this.#deps;
    const events = this.#consumer.events;
    this.#consumer.on(events.GROUP_JOIN, ({ payload }) => this.#onJoin(payload.memberAssignment));
    this.#consumer.on(events.REBALANCING, () => {
      this.#assignment = undefined;
      this.#assignmentReady = false;
      this.#processed.changes.notify();
    });
    this.#consumer.on(events.CRASH, ({ payload }) => {
      log.error({ err: payload.error, restart: payload.restart }, 'Kafka consumer crashed');
    });
    try {
      await this.#consumer.connect();
      if (o.replay) await this.#rememberStartsForReplay();
      else if (o.from === 'latest') await this.#rememberEndsForLatest();
      // The topics were ensured (metadata visible to the admin); another broker may lag a moment behind.
      for (let failures = 1; ; failures++) {
        try {
          await this.#consumer.subscribe({ topics: [...o.topics], fromBeginning: o.replay || o.from === 'beginning' });
          break;
        } catch (err) {
          if (failures >= 10 || !isTopicNotReadyError(err)) throw err;
          await sleep(backoffDelay({ maxAttempts: 1, baseMs: 50, maxMs: 1_000 }, failures));
        }
      }
      await this.#consumer.run({
        autoCommit: this.#commits,
        ...(this.#commits ? { autoCommitInterval: COMMIT_EVERY_MS, autoCommitThreshold: COMMIT_EVERY_MESSAGES } : {}),
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#deps.options.consumer.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
    } catch (err) {
      await this.#consumer.disconnect().catch(() => undefined);
      throw translateKafkaError(err, `subscribing group ${o.group} to ${o.topics.join(', ')}`);
    }
    log.debug({ from: o.from, groupId: this.#groupId }, 'subscribed');

    const handle = createSubscriptionHandle({
      group: o.group,
      topics: o.topics,
      caughtUp: () => this.#caughtUp(),
      lag: () => this.#lag(),
      hasProcessed: (p) => this.#processed.hasProcessed(p),
      stats: () => this.#processor.stats(),
      changes: this.#processed.changes,
      abort: this.#abort,
      stop: async () => {
        // The in-flight message finishes, its offset is resolved, kafkajs commits and leaves the group.
        await this.#consumer
          .disconnect()
          .catch((err: unknown) => log.warn({ err }, 'Kafka consumer disconnect failed'));
        this.#deps.onClosed(handle);
        log.debug('closed');
      },
    });
    return handle;
  }

  async #eachBatch(payload: KafkaJs.EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const heartbeat = () => payload.heartbeat();
    this.#ends.set(key(topic, partition), BigInt(batch.highWatermark));
    this.#processed.changes.notify();
    // Heartbeat and commit every COMMIT_EVERY_MESSAGES events or COMMIT_EVERY_MS, not after each event: awaiting
    // both per message made a cold view spend a third of its time idle (bench/ANALYSIS.md). A slow handler keeps
    // the member alive through `keepAlive`.
    let sinceSync = 0;
    let lastSync = Date.now();
    const sync = async () => {
      if (++sinceSync >= COMMIT_EVERY_MESSAGES || Date.now() - lastSync >= COMMIT_EVERY_MS) {
        await heartbeat();
        if (this.#commits) await payload.commitOffsetsIfNecessary();
        sinceSync = 0;
        lastSync = Date.now();
      }
    };
    const batchMode = this.#deps.subscribe.handleBatch !== undefined;
    let run: { offset: string; raw: RawMessage }[] = [];
    /** Batch mode: hands the run gathered so far to the batch handler; false when it was not done (closing). */
    const flush = async (): Promise<boolean> => {
      if (run.length === 0) return true;
      const current = run;
      run = [];
      for (const m of current) this.#processed.begin(m.raw.position);
      const result = await this.#processor.processBatch(
        current.map((m) => m.raw),
        { keepAlive: heartbeat },
      );
      for (const m of current) {
        if (result === 'done') payload.resolveOffset(m.offset);
        this.#processed.end(m.raw.position, result === 'done');
      }
      if (result !== 'done') return false;
      await sync();
      return true;
    };
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || this.#abort.signal.aborted) break;
      const position = { topic, partition, offset: message.offset };
      // Fetched again after a rejoin (a broker restart, a rebalance that gave the partition back): this
      // subscription applied it already, so applying it again would count it twice in a view or a decision.
      if (this.#processed.hasProcessed(position)) {
        if (!(await flush())) break;
        payload.resolveOffset(message.offset);
        continue;
      }
      const raw = toRawMessage(topic, position, message);
      if (batchMode) {
        run.push({ offset: message.offset, raw });
        if (run.length >= this.#deps.subscribe.maxBatch && !(await flush())) break;
        continue;
      }
      this.#processed.begin(position);
      const result = await this.#processor.process(raw, { keepAlive: heartbeat });
      if (result === 'done') payload.resolveOffset(message.offset);
      this.#processed.end(position, result === 'done');
      if (result !== 'done') break;
      await sync();
    }
    if (!payload.isStale() && !this.#abort.signal.aborted) await flush();
    if (this.#commits) await payload.commitOffsetsIfNecessary();
  }

  #committed(topics: readonly string[]) {
    return this.#deps.admin.run(
      `reading the offsets of group ${this.#groupId}`,
      (a) => a.fetchOffsets({ groupId: this.#groupId, topics: [...topics] }),
      { ensured: true },
    );
  }

  /** Low and high watermarks of every partition of `topics`. */
  async #topicOffsets(topics: readonly string[]) {
    const result: { topic: string; offsets: (KafkaJs.SeekEntry & { high: string; low: string })[] }[] = [];
    for (const topic of topics) {
      result.push({
        topic,
        offsets: await this.#deps.admin.run(`reading the end of ${topic}`, (a) => a.fetchTopicOffsets(topic), {
          ensured: true,
        }),
      });
    }
    return result;
  }

  /**
   * `latest` means the end of the log when subscribing, not at the first fetch: remember the end of every partition
   * the group has no committed offset for, and seek there when the partition is assigned.
   */
  async #rememberEndsForLatest(): Promise<void> {
    const committed = await this.#committed(this.#deps.subscribe.topics);
    for (const { topic, partitions } of committed) {
      const fresh = partitions.filter((p) => p.offset === '-1').map((p) => p.partition);
      if (fresh.length === 0) continue;
      const [{ offsets } = { offsets: [] }] = await this.#topicOffsets([topic]);
      for (const end of offsets) {
        if (fresh.includes(end.partition)) this.#startOverride.set(key(topic, end.partition), end.high);
      }
    }
  }

  /** `replay`: every partition starts at the beginning of the log on the first assignment, committed or not. */
  async #rememberStartsForReplay(): Promise<void> {
    for (const { topic, offsets } of await this.#topicOffsets(this.#deps.subscribe.topics)) {
      for (const end of offsets) this.#startOverride.set(key(topic, end.partition), end.low);
    }
  }

  #onJoin(assignment: Record<string, number[]>): void {
    const generation = ++this.#generation;
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const start = this.#startOverride.get(key(topic, partition));
        // Applied before the first fetch of the partition. For `latest` only partitions without a committed offset
        // at subscribe time have an override; `replay` overrides all of them.
        if (start !== undefined) this.#consumer.seek({ topic, partition, offset: start });
        else {
          // Assigned again (a rejoin): go on after what this subscription applied, not from the group's last commit
          // (or, for a replay group that commits nothing, from the start of the log).
          const applied = this.#processed.highest(topic, partition);
          if (applied !== undefined)
            this.#consumer.seek({ topic, partition, offset: (BigInt(applied) + 1n).toString() });
        }
      }
    }
    const seeds = new Map(this.#startOverride);
    this.#startOverride.clear();
    this.#assignment = assignment;
    this.#assignmentReady = false;
    this.#assignmentLoad = this.#loadAssignmentOffsetsUntilDone(generation, assignment, seeds);
  }

  /** Keeps trying (with backoff) while this assignment is current: caught-up depends on it. */
  async #loadAssignmentOffsetsUntilDone(
    generation: number,
    assignment: Record<string, number[]>,
    startOverride: ReadonlyMap<string, string>,
  ): Promise<void> {
    for (let failures = 1; generation === this.#generation && !this.#abort.signal.aborted; failures++) {
      try {
        return await this.#loadAssignmentOffsets(generation, assignment, startOverride);
      } catch (err) {
        this.#deps.log.warn(
          { err: (err as Error).message, failures },
          'could not read the offsets of the new assignment',
        );
        await sleep(backoffDelay({ maxAttempts: 1, baseMs: 200, maxMs: 5_000 }, failures), this.#abort.signal);
      }
    }
  }

  /** Where each assigned partition starts (committed offset, else per `from`) and where the log ends. */
  async #loadAssignmentOffsets(
    generation: number,
    assignment: Record<string, number[]>,
    startOverride: ReadonlyMap<string, string>,
  ): Promise<void> {
    const { subscribe: o } = this.#deps;
    const topics = Object.keys(assignment);
    const committed = await this.#committed(topics);
    const ends = await this.#topicOffsets(topics);
    if (generation !== this.#generation) return;
    for (const { topic, offsets } of ends) {
      for (const partition of assignment[topic] ?? []) {
        const end = offsets.find((e) => e.partition === partition);
        if (!end) continue;
        const previous = this.#ends.get(key(topic, partition)) ?? 0n;
        const high = BigInt(end.high);
        this.#ends.set(key(topic, partition), high > previous ? high : previous);
        const stored = committed
          .find((c) => c.topic === topic)
          ?.partitions.find((p) => p.partition === partition)?.offset;
        const start =
          startOverride.get(key(topic, partition)) ??
          (stored !== undefined && stored !== '-1' ? stored : o.replay || o.from === 'beginning' ? end.low : end.high);
        this.#processed.startAt(topic, partition, start);
      }
    }
    this.#assignmentReady = true;
    this.#processed.changes.notify();
  }

  #caughtUp(): boolean {
    if (!this.#assignment || !this.#assignmentReady || this.#processed.inFlight() > 0) return false;
    for (const [topic, partitions] of Object.entries(this.#assignment)) {
      for (const partition of partitions) {
        if (this.#partitionLag(topic, partition) > 0n) return false;
      }
    }
    return true;
  }

  #partitionLag(topic: string, partition: number): bigint {
    const end = this.#ends.get(key(topic, partition)) ?? 0n;
    const highest = this.#processed.highest(topic, partition);
    const next = highest === undefined ? 0n : BigInt(highest) + 1n;
    return end > next ? end - next : 0n;
  }

  async #lag(): Promise<number> {
    const { subscribe: o } = this.#deps;
    await this.#assignmentLoad;
    try {
      const ends = await this.#topicOffsets(o.topics);
      for (const { topic, offsets } of ends) {
        for (const e of offsets) {
          const high = BigInt(e.high);
          if (high > (this.#ends.get(key(topic, e.partition)) ?? 0n)) this.#ends.set(key(topic, e.partition), high);
        }
      }
      if (this.#assignment && this.#assignmentReady) {
        let lag = 0n;
        for (const [topic, partitions] of Object.entries(this.#assignment)) {
          for (const partition of partitions) lag += this.#partitionLag(topic, partition);
        }
        return Number(lag);
      }
      // Not (yet) a member with an assignment: report the group's lag from its committed offsets.
      const committed = await this.#committed(o.topics);
      let lag = 0n;
      for (const { topic, offsets } of ends) {
        for (const e of offsets) {
          const stored = committed
            .find((c) => c.topic === topic)
            ?.partitions.find((p) => p.partition === e.partition)?.offset;
          const start = BigInt(
            stored !== undefined && stored !== '-1' ? stored : o.replay || o.from === 'beginning' ? e.low : e.high,
          );
          const high = BigInt(e.high);
          lag += high > start ? high - start : 0n;
        }
      }
      return Number(lag);
    } catch (err) {
      throw translateOnEnsuredTopic(err, `measuring the lag of group ${o.group}`);
    }
  }
}

/** A kafkajs message as the processor reads it: UTF-8 text, or base64 for bytes that are not (poison, kept exactly). */
function toRawMessage(topic: string, position: Position, message: KafkaJs.KafkaMessage): RawMessage {
  const bytes = message.value;
  const raw: RawMessage = {
    topic,
    position,
    key: message.key?.toString('utf8') ?? null,
    value: null,
    timestamp: Number(message.timestamp),
    size: bytes?.length ?? 0,
  };
  if (bytes) {
    if (isUtf8(bytes)) raw.value = bytes.toString('utf8');
    else {
      raw.value = bytes.toString('base64');
      raw.encoding = 'base64';
    }
  }
  return raw;
}
