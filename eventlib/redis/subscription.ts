import type { Logger } from 'pino';
import type { AtomicHandler, AtomicResult } from '../atomic.js';
import { MessageProcessor, type AtomicSteps, type ProcessResult } from '../consumer/processor.js';
import { toWireMessages } from '../envelope.js';
import { ProcessedOffsets, streamIdOrder } from '../consumer/progress.js';
import { createSubscriptionHandle, SubscriptionFailure, type ValidSubscribeOptions } from '../consumer/subscription.js';
import { EventLibError } from '../errors.js';
import type { RawMessage } from '../ingest.js';
import type { RedisBusOptions } from '../options.js';
import type { Subscription } from '../port.js';
import type { DeadLetterSink } from '../consumer/deadLetterSink.js';
import { backoffDelay, sleep } from '../retry.js';
import { closeRedis, connectRedis, type RedisClient, type RedisModule } from './client.js';
import { isNoGroupError, translateRedisError } from './errors.js';
import { DEAD_LETTER_ONCE_SCRIPT, deadLetterOnce, EVENT_FIELD, KEY_FIELD, xAddTrim } from './streams.js';

/** Idle time given to entries handed back on close, so any live consumer's next XAUTOCLAIM takes them at once. */
const HAND_BACK_IDLE_MS = 7 * 24 * 3_600_000;
/** Consumers with nothing pending and idle this long (at least) are removed from the group by a sweep. */
const FORGET_CONSUMER_AFTER_MS = 3_600_000;

export interface RedisSubscriptionDeps {
  redis: RedisModule;
  /** The shared command connection (XACK, XAUTOCLAIM, XINFO...). */
  client: RedisClient;
  options: Readonly<RedisBusOptions>;
  subscribe: ValidSubscribeOptions;
  consumer: string;
  deadLetters: DeadLetterSink;
  /** `subscribeAtomic`: the handler whose effects commit in one MULTI with the XACK (eventlib/atomic.ts). */
  atomic?: { handler: AtomicHandler; maxConflicts: number };
  log: Logger;
  onClosed: (subscription: Subscription) => void;
}

interface StreamEntry {
  id: string;
  message: Record<string, string>;
}

/**
 * One consumer of a Redis consumer group. A loop on a dedicated connection: reclaim idle entries of dead consumers
 * (XAUTOCLAIM; past the delivery cap they are dead-lettered), then XREADGROUP `>` blocking; each entry is handled
 * in order and XACKed after its outcome. On close the loop is unblocked (CLIENT UNBLOCK), the in-flight handler
 * finishes, and entries fetched but not handled are handed back (made idle) for the group's other consumers.
 */
export class RedisSubscription {
  readonly #deps: RedisSubscriptionDeps;
  readonly #abort = new AbortController();
  readonly #processed = new ProcessedOffsets(streamIdOrder);
  readonly #processor: MessageProcessor;
  readonly #claimCursor = new Map<string, string>();
  #reader: RedisClient | undefined;
  #readerId: number | undefined;
  /** Atomic subscriptions: the connection of WATCH / MGET / MULTI (WATCH belongs to a connection). */
  #txn: RedisClient | undefined;
  #loop: Promise<void> = Promise.resolve();
  #loopDone = false;
  #acks: Promise<unknown>[] = [];
  /** The last read found no more undelivered entries (and everything fetched is handled). */
  #drained = false;
  /**
   * Read this member's own pending entries before new ones: at start (a restarted worker's name), and after a read
   * failed (a delivery may have been lost with the connection: it sits in the pending list, below what comes next,
   * and would otherwise be handled only when a sweep reclaims it, out of order).
   */
  #pendingFirst = true;
  #sweeps = 0;
  /** `entries-added` of each stream when last checked: a drop means the stream was recreated (data loss). */
  readonly #entriesAdded = new Map<string, number>();
  /** The highest entry id this subscription was handed per stream: the group's position is never below it. */
  readonly #delivered = new Map<string, string>();
  readonly #failure = new SubscriptionFailure();
  #self: Subscription | undefined;

  constructor(deps: RedisSubscriptionDeps) {
    this.#deps = deps;
    this.#processor = new MessageProcessor({
      ...deps.subscribe,
      deadLetters: deps.deadLetters,
      maxEventBytes: deps.options.maxEventBytes,
      log: deps.log,
      signal: this.#abort.signal,
    });
  }

  async start(): Promise<Subscription> {
    const { client, subscribe: o, log, redis, options } = this.#deps;
    try {
      await this.#createGroups(o.from === 'latest' && !o.replay ? '$' : '0');
      for (const stream of o.topics) {
        if (o.replay) {
          await client.xGroupSetId(stream, o.group, '0');
          continue;
        }
        // Everything the group delivered before this member started counts as its past (see hasProcessed).
        const group = (await client.xInfoGroups(stream)).find((g) => String(g.name) === o.group);
        const lastDelivered = group ? String(group['last-delivered-id']) : '0-0';
        if (lastDelivered !== '0-0') this.#processed.end({ topic: stream, partition: 0, offset: lastDelivered }, true);
      }
      // A restarted member with a fixed name: hand its old pending entries back so the first sweep takes them.
      await this.#handBackPending();
      await this.#findReset(); // records what the streams look like now, to notice a reset later

      this.#reader = await connectRedis(redis, options, log, 'reader');
      this.#readerId = await this.#reader.clientId();
      if (this.#deps.atomic) this.#txn = await connectRedis(redis, options, log, 'transactions');
    } catch (err) {
      if (this.#reader) await closeRedis(this.#reader);
      if (this.#txn) await closeRedis(this.#txn);
      throw translateRedisError(err, `subscribing group ${o.group} to ${o.topics.join(', ')}`);
    }
    this.#loop = this.#run().finally(() => {
      this.#loopDone = true;
      // Stopped on its own (log reset): close, so waits end and the bus forgets it.
      if (this.#failure.error) void this.#self?.close();
    });
    log.debug({ from: o.from }, 'subscribed');

    const handle = createSubscriptionHandle({
      group: o.group,
      topics: o.topics,
      caughtUp: () => this.#drained && this.#processed.inFlight() === 0,
      caughtUpNow: () => this.#caughtUpNow(),
      lag: () => this.#lag(),
      hasProcessed: (p) => this.#processed.hasProcessed(p),
      stats: () => this.#processor.stats(),
      changes: this.#processed.changes,
      abort: this.#abort,
      stop: () => this.#stop(handle),
      failure: this.#failure,
    });
    this.#self = handle;
    return handle;
  }

  /** Creates the group on every stream (and the stream itself) unless it exists. */
  async #createGroups(startId: '0' | '$'): Promise<void> {
    const { client, subscribe: o, log } = this.#deps;
    for (const stream of o.topics) {
      try {
        await client.xGroupCreate(stream, o.group, startId, { MKSTREAM: true });
        log.info({ stream, startId }, 'consumer group created');
      } catch (err) {
        if (!/^BUSYGROUP/.test((err as Error).message)) throw err;
      }
    }
  }

  async #run(): Promise<void> {
    const { options, subscribe: o, consumer, log } = this.#deps;
    const claimEvery = options.claimIntervalMs ?? Math.max(10, Math.floor(options.claimIdleMs / 2));
    let nextSweep = 0;
    let failures = 0;
    while (!this.#abort.signal.aborted) {
      try {
        if (Date.now() >= nextSweep) {
          const reset = await this.#findReset();
          if (reset && (await this.#onLogReset(reset)) === 'stop') break;
          await this.#sweep();
          nextSweep = Date.now() + claimEvery;
          if (this.#abort.signal.aborted) break;
        }
        if (this.#pendingFirst) {
          if ((await this.#recoverPending()) === 'aborted') break;
          this.#pendingFirst = false;
        }
        // Behind: read without blocking, so an empty answer tells at once that we caught up. Drained: block.
        const block = Math.max(10, Math.min(options.blockMs, nextSweep - Date.now()));
        const reply = (await this.#reader!.xReadGroup(
          o.group,
          consumer,
          o.topics.map((key) => ({ key, id: '>' })),
          this.#drained ? { COUNT: options.batchSize, BLOCK: block } : { COUNT: options.batchSize },
        )) as { name: string; messages: StreamEntry[] }[] | null;
        failures = 0;
        // Closing: whatever this read returned stays pending and is handed back in #stop.
        if (this.#abort.signal.aborted) break;
        const full = (reply ?? []).some((s) => s.messages.length >= options.batchSize);
        if (reply && reply.length > 0) {
          this.#drained = false;
          if ((await this.#handleAll(reply)) === 'aborted') break;
        }
        if (!full && !this.#drained) {
          this.#drained = true;
          this.#processed.changes.notify();
        }
      } catch (err) {
        if (this.#abort.signal.aborted) break;
        if (isNoGroupError(err)) {
          // The stream or the group was deleted under us: a reset of the log, never consumed as if nothing happened.
          const reset = (await this.#findReset().catch(() => undefined)) ?? {
            stream: o.topics.join(', '),
            reason: `the consumer group ${o.group} is gone (${(err as Error).message})`,
          };
          if ((await this.#onLogReset(reset)) === 'stop') break;
          continue;
        }
        this.#pendingFirst = true;
        failures++;
        log.warn(
          { err: translateRedisError(err, 'reading the stream').message, failures },
          'Redis read failed; retrying',
        );
        await sleep(backoffDelay({ maxAttempts: 1, baseMs: 100, maxMs: 5_000 }, failures), this.#abort.signal);
      }
    }
  }

  /**
   * The first stream found reset since the last check: gone, recreated (its `entries-added` went down), or without
   * this subscription's group. Records each stream's `entries-added` for the next check.
   */
  async #findReset(): Promise<{ stream: string; reason: string } | undefined> {
    const { client, subscribe: o } = this.#deps;
    for (const stream of o.topics) {
      let info: { 'entries-added'?: unknown };
      try {
        info = await client.xInfoStream(stream);
      } catch (err) {
        if (/no such key/i.test((err as Error).message)) return { stream, reason: `stream ${stream} no longer exists` };
        throw err;
      }
      const added = Number(info['entries-added']);
      const seen = this.#entriesAdded.get(stream);
      if (Number.isFinite(added)) {
        if (seen !== undefined && added < seen) {
          return {
            stream,
            reason: `stream ${stream} was recreated: ${added} entries were ever added to it, fewer than the ${seen} seen before`,
          };
        }
        this.#entriesAdded.set(stream, added);
      }
      const group = (await client.xInfoGroups(stream)).find((g) => String(g.name) === o.group);
      if (!group) return { stream, reason: `the consumer group ${o.group} of stream ${stream} is gone` };
      const position = String(group['last-delivered-id']);
      const delivered = this.#delivered.get(stream);
      if (delivered !== undefined && streamIdOrder(position, delivered) < 0) {
        return {
          stream,
          reason: `the consumer group ${o.group} of stream ${stream} is back at ${position}, before ${delivered} it delivered`,
        };
      }
    }
    return undefined;
  }

  /**
   * `fail`: the subscription stops with EVT_ERR_LOG_RESET (`failed` resolves). `replay`: `onReset` first, then the
   * group is created again at the start of the new log (and the stream's counters are learnt anew).
   */
  async #onLogReset(reset: { stream: string; reason: string }): Promise<'stop' | 'continue'> {
    const { subscribe: o, log } = this.#deps;
    if (o.onLogReset === 'replay') {
      log.warn(reset, 'the log was reset under the subscription; replaying the new log from its start');
      try {
        await o.onReset?.({ topic: reset.stream, reason: reset.reason });
      } catch (err) {
        this.#stopWith(
          new EventLibError(
            'EVT_ERR_LOG_RESET',
            `${reset.reason}; the onReset hook failed: ${(err as Error).message}`,
            {
              cause: err,
            },
          ),
        );
        return 'stop';
      }
      await this.#createGroups('0');
      this.#entriesAdded.clear();
      this.#delivered.clear();
      await this.#findReset();
      this.#drained = false;
      return 'continue';
    }
    this.#stopWith(
      new EventLibError(
        'EVT_ERR_LOG_RESET',
        `${reset.reason}: the log under group ${o.group} was reset or deleted (data lost on the server?); ` +
          `the subscription stopped instead of consuming it as if nothing happened`,
      ),
    );
    return 'stop';
  }

  #stopWith(error: EventLibError): void {
    this.#deps.log.error({ err: error.message, code: error.code }, 'subscription stopped');
    this.#failure.fail(error);
    this.#abort.abort();
    this.#processed.changes.notify();
  }

  /** This member's pending entries, in order: applied ones (their XACK was lost) acknowledged, the rest handled. */
  async #recoverPending(): Promise<ProcessResult> {
    const { subscribe: o, consumer, options, client } = this.#deps;
    for (const stream of o.topics) {
      for (let after = '0-0'; ;) {
        const reply = (await this.#reader!.xReadGroup(o.group, consumer, [{ key: stream, id: after }], {
          COUNT: options.batchSize,
        })) as { name: string; messages: (StreamEntry | null)[] }[] | null;
        const entries = reply?.[0]?.messages ?? [];
        if (entries.length === 0) break;
        after = entries.at(-1)!.id;
        // Trimmed since it was delivered (no fields left): nothing to handle, only to acknowledge.
        const gone = entries.filter((m) => m !== null && !m.message).map((m) => m!.id);
        if (gone.length > 0) await client.xAck(stream, o.group, gone).catch(() => 0);
        const messages = entries.filter((m): m is StreamEntry => m !== null && !!m.message);
        const applied = messages.filter((m) =>
          this.#processed.hasProcessed({ topic: stream, partition: 0, offset: m.id }),
        );
        if (applied.length > 0)
          await client
            .xAck(
              stream,
              o.group,
              applied.map((m) => m.id),
            )
            .catch(() => 0);
        const rest = messages.filter((m) => !applied.includes(m));
        if (rest.length > 0) {
          this.#deps.log.info({ stream, count: rest.length }, 'handling entries left pending on this member');
          if ((await this.#handleAll([{ name: stream, messages: rest }])) === 'aborted') return 'aborted';
        }
      }
    }
    return 'done';
  }

  /** Handles entries in order (stream by stream); XACKs are pipelined and awaited at the end. */
  async #handleAll(
    streams: { name: string; messages: StreamEntry[] }[],
    deliveries?: Map<string, number>,
  ): Promise<ProcessResult> {
    try {
      const batchMode = this.#deps.subscribe.handleBatch !== undefined || this.#deps.atomic !== undefined;
      for (const { name, messages } of streams) {
        let run: StreamEntry[] = [];
        const flushRun = async (): Promise<ProcessResult> => {
          if (run.length === 0) return 'done';
          const entries = run;
          run = [];
          return this.#handleBatch(name, entries);
        };
        for (const entry of messages) {
          const delivered = deliveries?.get(entry.id);
          // Batch mode: consecutive entries go together; one over the delivery cap is given up on its own.
          if (batchMode && (delivered === undefined || delivered <= this.#deps.options.maxDeliveries)) {
            run.push(entry);
            if (run.length >= this.#deps.subscribe.maxBatch && (await flushRun()) === 'aborted') return 'aborted';
            continue;
          }
          if ((await flushRun()) === 'aborted') return 'aborted';
          if ((await this.#handle(name, entry, delivered)) === 'aborted') return 'aborted';
        }
        if ((await flushRun()) === 'aborted') return 'aborted';
      }
      return 'done';
    } finally {
      await this.#flushAcks();
    }
  }

  async #handle(stream: string, entry: StreamEntry, deliveries: number | undefined): Promise<ProcessResult> {
    const { client, subscribe: o, options } = this.#deps;
    const position = { topic: stream, partition: 0, offset: entry.id };
    const delivered = this.#delivered.get(stream);
    if (delivered === undefined || streamIdOrder(entry.id, delivered) > 0) this.#delivered.set(stream, entry.id);
    const raw = toRawMessage(stream, entry);
    const touch = () => this.#touch(stream, entry.id);
    // A handler slower than claimIdleMs would otherwise look dead and be reclaimed by another consumer.
    const keepAlive = setInterval(() => void touch(), Math.max(10, Math.floor(options.claimIdleMs / 3)));
    this.#processed.begin(position);
    let result: ProcessResult = 'aborted';
    try {
      result =
        deliveries !== undefined && deliveries > options.maxDeliveries
          ? await this.#processor.giveUp(
              raw,
              'delivery-cap',
              `delivered ${deliveries} times, more than the cap of ${options.maxDeliveries}: its consumers keep failing`,
            )
          : await this.#processor.process(raw, { keepAlive: touch });
      if (result === 'done') {
        this.#acks.push(
          client.xAck(stream, o.group, entry.id).catch((err: unknown) => {
            this.#deps.log.warn(
              { err: (err as Error).message, stream, id: entry.id },
              'XACK failed; the entry will be redelivered',
            );
          }),
        );
      }
    } finally {
      clearInterval(keepAlive);
      this.#processed.end(position, result === 'done');
    }
    return result;
  }

  /** Batch mode: consecutive entries of one stream to the batch handler, XACKed together when done. */
  async #handleBatch(stream: string, entries: StreamEntry[]): Promise<ProcessResult> {
    const { client, subscribe: o, options } = this.#deps;
    const positions = entries.map((entry) => ({ topic: stream, partition: 0, offset: entry.id }));
    const last = entries.at(-1)!.id;
    const delivered = this.#delivered.get(stream);
    if (delivered === undefined || streamIdOrder(last, delivered) > 0) this.#delivered.set(stream, last);
    const ids = entries.map((entry) => entry.id);
    const touch = async () => {
      await client.xClaimJustId(stream, o.group, this.#deps.consumer, 0, ids).catch(() => undefined);
    };
    const keepAlive = setInterval(() => void touch(), Math.max(10, Math.floor(options.claimIdleMs / 3)));
    for (const position of positions) this.#processed.begin(position);
    let result: ProcessResult = 'aborted';
    try {
      const messages = entries.map((entry) => toRawMessage(stream, entry));
      const { atomic } = this.#deps;
      // Atomic: the commit acknowledged the entries already (in its MULTI).
      if (atomic)
        return (result = await this.#processor.processAtomic(
          messages,
          this.#atomicSteps(stream, atomic.handler),
          atomic.maxConflicts,
          { keepAlive: touch },
        ));
      result = await this.#processor.processBatch(messages, { keepAlive: touch });
      if (result === 'done') {
        this.#acks.push(
          client.xAck(stream, o.group, ids).then(
            () => undefined,
            (err: unknown) => {
              this.#deps.log.warn(
                { err: (err as Error).message, stream, entries: ids.length },
                'XACK failed; the entries will be redelivered',
              );
            },
          ),
        );
      }
    } finally {
      clearInterval(keepAlive);
      for (const position of positions) this.#processed.end(position, result === 'done');
    }
    return result;
  }

  /** WATCH and MGET on the transaction connection; the commit: effects, appends, dead letters and XACK in one MULTI. */
  #atomicSteps(stream: string, handler: AtomicHandler): AtomicSteps<AtomicResult> {
    const { subscribe: o, options, redis } = this.#deps;
    const txn = this.#txn!;
    return {
      decide: async (events, ctx) => {
        const result = await handler(events, {
          ...ctx,
          watch: async (keys) => {
            if (keys.length > 0) await txn.watch([...keys]);
          },
          read: async (keys) => (keys.length > 0 ? await txn.mGet([...keys]) : []),
        });
        return { outcomes: result.outcomes, effects: result };
      },
      commit: async ({ messages, deadLetters, effects }) => {
        const multi = txn.multi();
        for (const command of effects?.commands ?? []) multi.addCommand([...command]);
        const trim = xAddTrim(options);
        for (const { topic, events } of effects?.append ?? []) {
          for (const { key, value } of toWireMessages(events, options.maxEventBytes)) {
            multi.xAdd(topic, '*', { [KEY_FIELD]: key, [EVENT_FIELD]: value }, trim);
          }
        }
        for (const { topic, record } of deadLetters) {
          multi.eval(DEAD_LETTER_ONCE_SCRIPT, deadLetterOnce(topic, record, options));
        }
        if (messages.length > 0)
          multi.xAck(
            stream,
            o.group,
            messages.map((m) => m.position.offset),
          );
        try {
          await multi.exec();
          return 'committed';
        } catch (err) {
          if (err instanceof redis.WatchError) return 'conflict';
          throw translateRedisError(err, `committing to ${stream}`);
        }
      },
      abandon: async () => {
        await txn.unwatch();
      },
    };
  }

  async #flushAcks(): Promise<void> {
    const acks = this.#acks;
    this.#acks = [];
    await Promise.all(acks);
  }

  /** Resets the idle time of an entry this consumer is still working on (no delivery counted). */
  async #touch(stream: string, id: string): Promise<void> {
    const { client, subscribe: o, consumer } = this.#deps;
    await client.xClaimJustId(stream, o.group, consumer, 0, id).catch(() => undefined);
  }

  /** Reclaims entries idle longer than claimIdleMs (dead or stuck consumers) and handles them; forgets old consumers. */
  async #sweep(): Promise<void> {
    const { client, subscribe: o, consumer, options } = this.#deps;
    for (const stream of o.topics) {
      for (;;) {
        if (this.#abort.signal.aborted) return;
        const cursor = this.#claimCursor.get(stream) ?? '0-0';
        const claimed = await client.xAutoClaim(stream, o.group, consumer, options.claimIdleMs, cursor, {
          COUNT: options.batchSize,
        });
        this.#claimCursor.set(stream, String(claimed.nextId));
        const messages = claimed.messages.filter(
          (m): m is NonNullable<typeof m> => m !== null,
        ) as unknown as StreamEntry[];
        if (messages.length > 0) {
          this.#drained = false;
          const pending = await client.xPendingRange(
            stream,
            o.group,
            messages[0]!.id,
            messages.at(-1)!.id,
            messages.length,
            {
              consumer,
            },
          );
          const deliveries = new Map(pending.map((p) => [String(p.id), Number(p.deliveriesCounter)]));
          this.#deps.log.info({ stream, count: messages.length }, 'reclaimed idle entries');
          if ((await this.#handleAll([{ name: stream, messages }], deliveries)) === 'aborted') return;
        }
        if (String(claimed.nextId) === '0-0') break;
      }
    }
    if (++this.#sweeps % 20 === 1) await this.#forgetIdleConsumers().catch(() => undefined);
  }

  /** Removes consumers that hold nothing and have not been seen for a long time (crashed processes' names). */
  async #forgetIdleConsumers(): Promise<void> {
    const { client, subscribe: o, consumer, options } = this.#deps;
    const threshold = Math.max(FORGET_CONSUMER_AFTER_MS, options.claimIdleMs * 20, options.blockMs * 20);
    for (const stream of o.topics) {
      for (const c of await client.xInfoConsumers(stream, o.group)) {
        if (String(c.name) !== consumer && Number(c.pending) === 0 && Number(c.idle) > threshold) {
          await client.xGroupDelConsumer(stream, o.group, String(c.name));
        }
      }
    }
  }

  /** Makes this consumer's pending entries look long idle, so the group's next XAUTOCLAIM takes them at once. */
  async #handBackPending(): Promise<void> {
    const { client, subscribe: o, consumer, log } = this.#deps;
    for (const stream of o.topics) {
      for (;;) {
        const pending = await client.xPendingRange(stream, o.group, '-', '+', 1_000, { consumer, IDLE: 0 });
        const ids = pending
          .filter((p) => Number(p.millisecondsSinceLastDelivery) < HAND_BACK_IDLE_MS)
          .map((p) => String(p.id));
        if (ids.length === 0) break;
        await client.xClaimJustId(stream, o.group, consumer, 0, ids, { IDLE: HAND_BACK_IDLE_MS });
        log.debug({ stream, count: ids.length }, 'handed back unprocessed entries');
        if (pending.length < 1_000) break;
      }
    }
  }

  async #stop(handle: Subscription): Promise<void> {
    const { client, log } = this.#deps;
    // Wake the blocked XREADGROUP until the loop notices the abort (an unblock sent just before it blocks is lost).
    while (!this.#loopDone) {
      if (this.#readerId !== undefined) {
        await client.sendCommand(['CLIENT', 'UNBLOCK', String(this.#readerId)]).catch(() => undefined);
      }
      await Promise.race([this.#loop, sleep(50)]);
    }
    await this.#flushAcks();
    await this.#handBackPending().catch((err: unknown) =>
      log.warn({ err: (err as Error).message }, 'could not hand back pending entries'),
    );
    if (this.#reader) await closeRedis(this.#reader);
    if (this.#txn) await closeRedis(this.#txn);
    this.#deps.onClosed(handle);
    log.debug('closed');
  }

  /**
   * Whether this subscription has applied every entry the streams hold right now. `#drained` alone is not enough: it
   * says the last read was empty, not that nothing was appended since (a reactor redelivered after a crash must see
   * its own earlier output before it decides again). The last entry counts when this member applied it, or when the
   * group delivered it and nothing is pending (another member applied it); and this member holds nothing pending.
   */
  async #caughtUpNow(): Promise<boolean> {
    const { client, subscribe: o, consumer } = this.#deps;
    if (this.#processed.inFlight() > 0) return false;
    for (const stream of o.topics) {
      const [last] = await client.xRevRange(stream, '+', '-', { COUNT: 1 });
      if (!last) continue;
      // Nothing may be pending on this member: an entry delivered to it just before a connection broke (a Redis
      // restart) sits in its pending list below entries it applied since, so "the last entry is applied" alone
      // would count it as done (a keyed write's retry then missed its first attempt and wrote again).
      const pending = await client.xPending(stream, o.group);
      const mine = pending.consumers?.find((c) => String(c.name) === consumer);
      if (mine && Number(mine.deliveriesCounter) > 0) return false;
      if (this.#processed.hasProcessed({ topic: stream, partition: 0, offset: last.id })) continue;
      const group = (await client.xInfoGroups(stream)).find((g) => String(g.name) === o.group);
      if (group && streamIdOrder(String(group['last-delivered-id']), last.id) >= 0 && Number(group.pending) === 0)
        continue;
      return false;
    }
    // Everything the streams hold is applied: the next read would be empty, so `caughtUp()` agrees at once.
    this.#drained = true;
    return true;
  }

  /** Undelivered entries plus delivered-but-unacknowledged ones, for the whole group (XINFO GROUPS). */
  async #lag(): Promise<number> {
    const { client, subscribe: o } = this.#deps;
    try {
      let lag = 0;
      for (const stream of o.topics) {
        const group = (await client.xInfoGroups(stream)).find((g) => String(g.name) === o.group);
        if (!group) continue;
        let undelivered = group.lag === null || group.lag === undefined ? undefined : Number(group.lag);
        if (undefined === undelivered) {
          // Redis cannot tell after deletions in the middle of the stream: count what follows the group's position.
          const rest = await client.xRange(stream, `(${String(group['last-delivered-id'])}`, '+');
          undelivered = rest.length;
        }
        lag += undelivered + Number(group.pending);
      }
      return lag;
    } catch (err) {
      throw translateRedisError(err, `measuring the lag of group ${o.group}`);
    }
  }
}

/**
 * A stream entry as a raw message. Entries written by the bus carry `event` (envelope JSON) and `key`; an entry
 * pushed by hand with other fields (`XADD s * title Dune`) becomes a bare JSON object of those fields.
 */
function toRawMessage(stream: string, entry: StreamEntry): RawMessage {
  const { key, event, ...rest } = entry.message;
  const value = event ?? (Object.keys(rest).length > 0 ? JSON.stringify(rest) : null);
  return {
    topic: stream,
    position: { topic: stream, partition: 0, offset: entry.id },
    key: key ?? null,
    value,
    timestamp: Number(entry.id.split('-')[0]),
  };
}
