import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { acquireInstanceLock, isDiscoError, type InstanceLock } from '../../../discolib/index.js';
import type { EventBus, Subscription } from '../../../eventlib/index.js';
import type { LendingConfig } from '../domain/index.js';
import type { RedisTarget } from '../redis/connection.js';
import { startRedisWorker } from '../redis/redisWorker.js';
import { LendingKeys } from '../redis/stateKeys.js';
import { consumeSeedStreams } from '../service/seedStreams.js';
import type { LendingTopics } from '../wire.js';
import { startLogWorker } from './logWorker.js';
import type { LendingWorker } from './types.js';

/** The longest one request to the Consul agent of the lock may take. */
const CONSUL_REQUEST_TIMEOUT_MS = 5_000;

/** The Consul agent that keeps the lock of a worker on Kafka. */
export interface ConsulTarget {
  /** host:port of the agent's HTTP API. */
  addr: string;
  secure?: boolean;
  token?: string;
  /** PEM certificates to trust for HTTPS (a private CA). */
  ca?: readonly string[];
}

export interface RunWorkerOptions {
  name: string;
  force?: boolean;
  topics: LendingTopics;
  config: LendingConfig;
  /** Required on a Redis bus: the connection of the instance lock (the worker itself runs on the bus). */
  redis?: RedisTarget;
  /** Where the lock of a worker on Kafka lives; without it the lock is in-process only. */
  consul?: ConsulTarget;
  lockTtlMs?: number;
  claimIdleMs?: number;
  /**
   * How long the lock's store may take to answer at start
   * (`--connect-timeout`); default 10 s. Each request to a Consul agent is bounded by it too (at most 5 s).
   */
  connectTimeoutMs?: number;
  /**
   * When the name is held, wait until its lock is free instead of failing: a worker restarted right after a crash
   * finds its own old lock until that expires (the lock TTL).
   */
  waitForLock?: boolean;
  /** Ends a wait for the lock (shutdown while waiting): the call then rejects with an `AbortError`. */
  signal?: AbortSignal;
}

export interface RunningWorker {
  readonly worker: LendingWorker;
  readonly lock: InstanceLock;
  /** Resolves with the reason when the worker stops by itself (its lock was lost, its log vanished). */
  readonly stopped: Promise<string>;
  close(): Promise<void>;
}

/**
 * Takes the instance lock of `name` through discolib's `acquireInstanceLock` (Redis key on Redis; Consul session on
 * Kafka with Consul; in-process otherwise), then starts the worker for the bus's transport. Throws
 * `DISCO_ERR_LOCK_HELD` (exit 1, `lending worker name "<name>" is in use ... --force`) when the name is held and
 * `force` is not set. Losing the lock stops the worker. On Redis the worker also takes the lending seed's
 * own streams (`lending_requests_event_stream`, `book_return_requests_event_stream`), so its scripts keep working.
 */
export async function runLendingWorker(
  deps: { bus: EventBus; log: Logger; clock: () => Date },
  opts: RunWorkerOptions,
): Promise<RunningWorker> {
  const { bus, log, clock } = deps;
  // The instance lock is discolib's port; only its key and the words of its messages are the worker's.
  const lockOpts = {
    name: opts.name,
    label: 'lending worker name',
    holderLabel: 'worker',
    ...(opts.force ? { force: true } : {}),
    ...(opts.lockTtlMs ? { ttlMs: opts.lockTtlMs } : {}),
  };
  const acquire = async (): Promise<InstanceLock> => {
    if (bus.kind === 'redis') {
      if (!opts.redis) throw new TypeError('runLendingWorker: a Redis bus needs opts.redis');
      const { url, db, username, password, tls } = opts.redis;
      return acquireInstanceLock(
        {
          kind: 'redis',
          ...lockOpts,
          key: new LendingKeys(opts.topics.keyTag).lock(opts.name),
          url,
          ...(db !== undefined ? { db } : {}),
          ...(username !== undefined ? { username } : {}),
          ...(password !== undefined ? { password } : {}),
          ...(tls !== undefined ? { tls } : {}),
          ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        },
        log,
      );
    }
    if (opts.consul) {
      const { addr, secure, token, ca } = opts.consul;
      return acquireInstanceLock(
        {
          kind: 'consul',
          ...lockOpts,
          key: `bookshelf/${opts.topics.workerGroup}/${opts.name}`,
          addr,
          ...(secure !== undefined ? { secure } : {}),
          ...(token ? { token } : {}),
          ...(ca ? { ca: [...ca] } : {}),
          ...(opts.connectTimeoutMs !== undefined
            ? { requestTimeoutMs: Math.min(CONSUL_REQUEST_TIMEOUT_MS, opts.connectTimeoutMs) }
            : {}),
        },
        log,
      );
    }
    if (bus.kind === 'kafka') log.warn('no Consul: the lending worker lock only covers this process');
    return acquireInstanceLock({ kind: 'memory', ...lockOpts, key: `${opts.topics.workerGroup}/${opts.name}` }, log);
  };
  const lock = opts.waitForLock ? await waitForFreeLock(acquire, opts.name, log, opts.signal) : await acquire();
  let worker: LendingWorker | undefined;
  let seedStreams: Subscription | undefined;
  try {
    const base = { name: opts.name, topics: opts.topics, config: opts.config, clock, log };
    worker =
      bus.kind === 'redis'
        ? await startRedisWorker(bus, { ...base, ...(opts.claimIdleMs ? { claimIdleMs: opts.claimIdleMs } : {}) })
        : await startLogWorker(bus, base);
    if (bus.kind === 'redis')
      seedStreams = await consumeSeedStreams(bus, opts.topics, { consumerName: opts.name, log });
  } catch (err) {
    // Whatever was taken goes back, the lock last and even when stopping the rest fails: a retry must find it free.
    await inOrder([() => seedStreams?.close(), () => worker?.close(), () => lock.release()], log);
    throw err;
  }
  const started = worker;
  log.info({ lock: lock.kind, name: opts.name }, 'worker lock held');
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= inOrder([() => seedStreams?.close(), () => started.close(), () => lock.release()], log));
  const seedFailed = seedStreams?.failed.then((err) => err.message);
  const stopped = Promise.race(
    [lock.lost.then((reason) => `lost the worker lock: ${reason}`), started.failed, seedFailed].filter(
      (p): p is Promise<string> => p !== undefined,
    ),
  ).then(async (reason) => {
    log.error({ reason }, 'the lending worker stops');
    await close();
    return reason;
  });
  return { worker: started, lock, stopped, close };
}

/** Runs each step after the one before, whether that one failed or not (failures are logged). */
async function inOrder(steps: (() => unknown)[], log: Logger): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      log.warn({ err }, 'a stop step of the lending worker failed');
    }
  }
}

/** Tries the lock until it is free (every 500 ms, a log line every 5 s); other errors end the wait. */
async function waitForFreeLock(
  acquire: () => Promise<InstanceLock>,
  name: string,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<InstanceLock> {
  const since = Date.now();
  let told = 0;
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await acquire();
    } catch (err) {
      if (!isDiscoError(err, 'DISCO_ERR_LOCK_HELD')) throw err;
      if (Date.now() - told >= 5_000) {
        told = Date.now();
        log.info({ name, waitedMs: Date.now() - since }, 'worker name in use; waiting for its lock (--wait-for-lock)');
      }
      await sleep(500, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }
}
