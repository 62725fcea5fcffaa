import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DeadLetterData } from '../consumer/deadLetter.js';
import type { DeadLetterSink } from '../consumer/deadLetterSink.js';
import { validateSubscribeOptions } from '../consumer/subscription.js';
import { toWireMessages, type Envelope } from '../envelope.js';
import { tracePublish } from '../tracing.js';
import { EventLibError } from '../errors.js';
import type { RedisBusOptions } from '../options.js';
import type { EventBus, Position, SubscribeOptions, Subscription } from '../port.js';
import { closeRedis, connectRedis, describeTarget, loadRedis, type RedisClient, type RedisModule } from './client.js';
import { translateRedisError } from './errors.js';
import { RedisSubscription } from './subscription.js';

/** Stream entry fields: the envelope JSON and its key (raw XADDs may use any fields; see RedisSubscription). */
export const EVENT_FIELD = 'event';
export const KEY_FIELD = 'key';
/** The set of record ids on a dead-letter stream (see `#writeDeadLetter`). */
export const deadLetterIdsKey = (stream: string): string => `eventlib:dead-letter-ids:${stream}`;

/**
 * Adds a dead-letter record unless its id is in the stream's id set, atomically: SISMEMBER, XADD (trimmed like
 * every XADD), SADD. KEYS: stream, id set. ARGV: record id, key, envelope JSON, MAXLEN threshold or ''.
 * Returns the entry id, or nil for a duplicate. (If XADD fails nothing was changed; SADD follows it.)
 */
const DEAD_LETTER_ONCE_SCRIPT = `
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return false end
local id
if ARGV[4] == '' then
  id = redis.call('XADD', KEYS[1], '*', '${KEY_FIELD}', ARGV[2], '${EVENT_FIELD}', ARGV[3])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', '${KEY_FIELD}', ARGV[2], '${EVENT_FIELD}', ARGV[3])
end
redis.call('SADD', KEYS[2], ARGV[1])
return id
`;

/**
 * Redis Streams through node-redis: one stream per topic (no partitions: position = entry id on partition 0),
 * XADD in a MULTI per publish (all or nothing, in order), approximate MAXLEN trimming, consumer groups created
 * at `0` with MKSTREAM, each subscription reading with XREADGROUP on its own connection.
 */
export class RedisEventBus implements EventBus {
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
    const trim =
      this.#options.maxLen === null
        ? undefined
        : { TRIM: { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: this.#options.maxLen } };
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
    this.#assertOpen();
    if (this.#closing) throw new EventLibError('EVT_ERR_CLOSED', 'the event bus is closing');
    const o = validateSubscribeOptions(options);
    const consumer = o.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const subscription = new RedisSubscription({
      redis: this.#redis,
      client: this.#client,
      options: this.#options,
      subscribe: o,
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
    const [wire] = toWireMessages([record], this.#options.maxEventBytes);
    try {
      const id = await this.#client.eval(DEAD_LETTER_ONCE_SCRIPT, {
        keys: [topic, deadLetterIdsKey(topic)],
        arguments: [
          record.id,
          wire!.key,
          wire!.value,
          this.#options.maxLen === null ? '' : String(this.#options.maxLen),
        ],
      });
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
