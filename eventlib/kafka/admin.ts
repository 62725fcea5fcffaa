import type * as KafkaJs from 'kafkajs';
import type { Logger } from 'pino';
import { EventLibError } from '../errors.js';
import { backoffDelay, sleep } from '../retry.js';
import { isTopicNotReadyError, translateKafkaError, translateOnEnsuredTopic } from './errors.js';

const METADATA_RACE = new Set(['KafkaJSTopicMetadataNotLoaded', 'KafkaJSMetadataNotLoaded']);
const ATTEMPTS = 5;
/** Backoff between checks while a topic's creation propagates (jittered, 50 ms doubling to 1 s). */
const TOPIC_READY_BACKOFF = { maxAttempts: 1, baseMs: 50, maxMs: 1_000 };

/**
 * The bus's one kafkajs admin client, shared by every subscription. kafkajs's admin is not safe for concurrent
 * calls on different topics (its metadata refresh races: "Topic metadata not loaded"), so calls run one at a time
 * and that error is retried.
 */
export class SerialAdmin {
  readonly #admin: KafkaJs.Admin;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(admin: KafkaJs.Admin) {
    this.#admin = admin;
  }

  /**
   * Runs `fn` after every earlier call; errors are translated (`action` says what was being done). `ensured`: the
   * call is about topics that were ensured before, so an unknown topic is a broker still loading (retriable).
   */
  run<T>(action: string, fn: (admin: KafkaJs.Admin) => Promise<T>, opts: { ensured?: boolean } = {}): Promise<T> {
    return this.#enqueue(() => this.#attempt(action, fn, opts.ensured === true));
  }

  /** Runs `fn` after every earlier call, once, with kafkajs's own error (for callers that classify it). */
  runRaw<T>(fn: (admin: KafkaJs.Admin) => Promise<T>): Promise<T> {
    return this.#enqueue(() => fn(this.#admin));
  }

  #enqueue<T>(call: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(call);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #attempt<T>(action: string, fn: (admin: KafkaJs.Admin) => Promise<T>, ensured: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(this.#admin);
      } catch (err) {
        if (attempt < ATTEMPTS && METADATA_RACE.has((err as Error).name)) {
          await sleep(50 * attempt);
          continue;
        }
        throw ensured ? translateOnEnsuredTopic(err, action) : translateKafkaError(err, action);
      }
    }
  }
}

export interface TopicSpec {
  topic: string;
  /** Partitions to create the topic with when it is missing. */
  partitions: number;
  replicationFactor: number;
  /** How long the topic may take to appear in the metadata (with every partition led) before EVT_ERR_TIMEOUT. */
  timeoutMs: number;
}

/**
 * Makes sure the topic exists and is usable, and returns its partition count. Race-free across processes: the
 * metadata is read first; a missing topic is created (TOPIC_ALREADY_EXISTS means another process won, which is
 * fine); then the metadata is read again, with bounded jittered backoff over the transient errors a fresh topic
 * shows (unknown topic / "does not host this topic-partition", no leader yet, metadata not loaded), until it lists
 * the topic with a leader for every partition. The caller compares the count with what it declared.
 */
export async function ensureTopicReady(admin: SerialAdmin, spec: TopicSpec, log: Logger): Promise<number> {
  const { topic, partitions, replicationFactor, timeoutMs } = spec;
  const deadline = Date.now() + timeoutMs;
  let createAttempted = false;
  let created = false;
  let lastError: unknown;
  for (let failures = 1; ; failures++) {
    try {
      const count = await admin.runRaw((a) => visiblePartitions(a, topic));
      // Metadata of a topic this process just created shows all its partitions at once (KRaft applies the topic and
      // its partitions together); re-check anything else rather than report a mismatch that is not there.
      if (!created || count === partitions) return count;
      lastError = new Error(`the metadata shows ${count} of ${partitions} partitions`);
    } catch (err) {
      if (!isTopicNotReadyError(err)) throw translateKafkaError(err, `reading the metadata of topic ${topic}`);
      lastError = err;
      if (!createAttempted) {
        createAttempted = true;
        try {
          created = await admin.runRaw((a) =>
            a.createTopics({
              topics: [{ topic, numPartitions: partitions, replicationFactor }],
              // Waiting for leaders is done below, where its transient errors are retried.
              waitForLeaders: false,
            }),
          );
          if (created) log.info({ topic, partitions }, 'topic created');
        } catch (createError) {
          if (!isTopicNotReadyError(createError)) throw translateKafkaError(createError, `creating topic ${topic}`);
          createAttempted = false; // NOT_CONTROLLER and the like: try creating again
          lastError = createError;
        }
        continue;
      }
    }
    if (Date.now() >= deadline) {
      throw new EventLibError(
        'EVT_ERR_TIMEOUT',
        `topic ${topic} did not become usable within ${timeoutMs} ms: ${(lastError as Error | undefined)?.message ?? 'no metadata'}`,
        { cause: lastError },
      );
    }
    log.debug({ topic, failures, err: (lastError as Error | undefined)?.message }, 'topic not visible yet; retrying');
    await sleep(Math.min(backoffDelay(TOPIC_READY_BACKOFF, failures), Math.max(0, deadline - Date.now())));
  }
}

/** The topic's partition count, once the metadata lists it with a leader for every partition (else it throws). */
async function visiblePartitions(admin: KafkaJs.Admin, topic: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
  if (partitions.length === 0 || partitions.some((p) => p.leader < 0)) {
    throw Object.assign(new Error(`topic ${topic} has no led partitions in the metadata yet`), {
      type: 'LEADER_NOT_AVAILABLE',
    });
  }
  return partitions.length;
}
