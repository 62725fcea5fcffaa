import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeadLetterData } from '../consumer/deadLetter.js';
import type { DeadLetterSink } from '../consumer/deadLetterSink.js';
import { validateSubscribeOptions, type ValidSubscribeOptions } from '../consumer/subscription.js';
import type { AtomicSubscribeOptions, AtomicSubscriber } from '../atomic.js';
import { toWireMessages, type Envelope } from '../envelope.js';
import { tracePublish } from '../tracing.js';
import { EventLibError } from '../errors.js';
import type { RedisBusOptions } from '../options.js';
import type { EventBus, Position, SubscribeOptions, Subscription } from '../port.js';
import { closeRedis, connectRedis, describeTarget, loadRedis, type RedisClient, type RedisModule } from './client.js';
import { translateRedisError } from './errors.js';
import { DEAD_LETTER_ONCE_SCRIPT, deadLetterOnce, EVENT_FIELD, KEY_FIELD, xAddTrim } from './streams.js';
import { RedisSubscription, type RedisSubscriptionDeps } from './subscription.js';

const AtomicExtraSchema = z.object({
  handleAtomic: z.custom<AtomicSubscribeOptions['handleAtomic']>(
    (v) => typeof v === 'function',
    'handleAtomic must be a function',
  ),
  maxConflicts: z.int().min(1).max(100_000).default(100),
  claimIdleMs: z.int().min(10).optional(),
  batchSize: z.int().min(1).max(10_000).optional(),
});

export { EVENT_FIELD, KEY_FIELD, deadLetterIdsKey } from './streams.js';

/**
 * Redis Streams through node-redis: one stream per topic (no partitions: position = entry id on partition 0),
 * XADD in a MULTI per publish (all or nothing, in order), approximate MAXLEN trimming, consumer groups created
 * at `0` with MKSTREAM, each subscription reading with XREADGROUP on its own connection.
 */
export class RedisEventBus implements EventBus, AtomicSubscriber {
  readonly kind = 'redis' as const;
  readonly #redis: RedisModule;
  readonly #client: RedisClient;
  readonly #options: Readonly<RedisBusOptions>;
  readonly #log: Logger;
  readonly #subscriptions = new Set<Subscription>();
  readonly #deadLetters: DeadLetterSink = { write: (topic, record) => this.#writeDeadLetter(topic, record) };
  #closing: Promise<void> | undefined;
  #closed = false;

  private constructor(redis: RedisModule, client: RedisClient, options: Readonly<RedisBusOptions>, log: Logger) {
    this.#redis = redis;
    this.#client = client;
    this.#options = options;
    this.#log = log;
  }

  static async create(options: Readonly<RedisBusOptions>, log: Logger): Promise<RedisEventBus> {
    const redis = await loadRedis();
    const client = await connectRedis(redis, options, log, 'commands');
    log.debug({ target: describeTarget(options), db: options.db }, 'connected');
    return new RedisEventBus(redis, client, options, log);
  }

  /** Streams have no partitions and are created by the first XADD or consumer group; this only validates. */
  async ensureTopic(name: string, options: { partitions?: number } = {}): Promise<void> {
    this.#assertOpen();
    if (
      !name ||
      (options.partitions !== undefined && (!Number.isInteger(options.partitions) || options.partitions < 1))
    ) {
      throw new EventLibError('EVT_ERR_INVALID_OPTIONS', 'ensureTopic needs a name and partitions >= 1');
    }
  }

  /** Inside a PRODUCER span; envelopes without a trace context carry the span's (`tracing.ts`). */
  publish(topic: string, events: readonly Envelope[]): Promise<Position[]> {
    return tracePublish('redis', topic, events, (traced) => this.#publish(topic, traced));
  }

  async #publish(topic: string, events: readonly Envelope[]): Promise<Position[]> {
    this.#assertOpen();
    const wire = toWireMessages(events, this.#options.maxEventBytes);
    if (wire.length === 0) return [];
    const trim = xAddTrim(this.#options);
    try {
      const multi = this.#client.multi();
      for (const { key, value } of wire) multi.xAdd(topic, '*', { [KEY_FIELD]: key, [EVENT_FIELD]: value }, trim);
      const ids = (await multi.exec()) as unknown as string[];
      return ids.map((offset) => ({ topic, partition: 0, offset: String(offset) }));
    } catch (err) {
      throw translateRedisError(err, `publishing to stream ${topic}`);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    return this.#subscribe(validateSubscribeOptions(options), this.#options);
  }

  /**
   * The atomic-commit capability (`atomicSubscriber(bus)`, eventlib/atomic.ts): the handler returns its effects as
   * Redis commands and appends, applied in one MULTI with the batch's XACK and its dead letters, optimistic on the
   * keys it WATCHed. Each such subscription has a transaction connection of its own.
   */
  async subscribeAtomic(options: AtomicSubscribeOptions): Promise<Subscription> {
    const { handleAtomic, maxConflicts, claimIdleMs, batchSize, ...rest } = options;
    const extra = AtomicExtraSchema.safeParse({ handleAtomic, maxConflicts, claimIdleMs, batchSize });
    if (!extra.success) {
      throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `invalid subscribe options: ${z.prettifyError(extra.error)}`);
    }
    if ('handler' in rest || 'handleBatch' in rest) {
      throw new EventLibError(
        'EVT_ERR_INVALID_OPTIONS',
        'invalid subscribe options: subscribeAtomic takes handleAtomic only',
      );
    }
    const o = validateSubscribeOptions(rest, { handlerless: true });
    const busOptions = Object.freeze({
      ...this.#options,
      ...(claimIdleMs !== undefined ? { claimIdleMs } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
    });
    return this.#subscribe(o, busOptions, { handler: handleAtomic, maxConflicts: extra.data.maxConflicts });
  }

  async #subscribe(
    o: ValidSubscribeOptions,
    busOptions: Readonly<RedisBusOptions>,
    atomic?: RedisSubscriptionDeps['atomic'],
  ): Promise<Subscription> {
    this.#assertOpen();
    if (this.#closing) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closing');
    const consumer = o.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const subscription = new RedisSubscription({
      redis: this.#redis,
      client: this.#client,
      options: busOptions,
      subscribe: o,
      ...(atomic ? { atomic } : {}),
      consumer,
      deadLetters: this.#deadLetters,
      log: this.#log.child({ topics: o.topics, group: o.group, consumer }),
      onClosed: (s) => this.#subscriptions.delete(s),
    });
    const handle = await subscription.start();
    this.#subscriptions.add(handle);
    return handle;
  }

  /**
   * Exactly once per record id and dead-letter stream, whichever process writes: one Lua script checks the id set
   * and adds the entry (so one poison message read by many groups and replays gives one record).
   */
  async #writeDeadLetter(topic: string, record: Envelope<DeadLetterData>): Promise<'written' | 'duplicate'> {
    this.#assertOpen();
    try {
      const id = await this.#client.eval(DEAD_LETTER_ONCE_SCRIPT, deadLetterOnce(topic, record, this.#options));
      return id === null ? 'duplicate' : 'written';
    } catch (err) {
      throw translateRedisError(err, `dead-lettering to stream ${topic}`);
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
      this.#closed = true;
      await closeRedis(this.#client);
      this.#log.debug('closed');
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closed');
  }
}
