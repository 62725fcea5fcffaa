import { setTimeout as sleep } from 'node:timers/promises';
import { WatchError } from 'redis';
import {
  DEAD_LETTER_TYPE,
  deadLetterTopic,
  encodeEnvelope,
  newEvent,
  parseEnvelope,
  type DeadLetterData,
  type Envelope,
} from '../../../eventlib/index.js';
import {
  decide,
  evolveAll,
  isLendingError,
  readSetOf,
  sliceOf,
  stateFromSlice,
  type LendingCommand,
} from '../domain/index.js';
import { commandOf, eventEnvelopes } from '../wire.js';
import { newStats, type LendingWorker, type WorkerOptions } from '../worker/types.js';
import { closeLendingRedis, connectLendingRedis, type LendingRedisClient, type RedisTarget } from './connection.js';
import { LendingKeys, parseSlice, sliceWrites } from './stateKeys.js';

/** Stream entry fields, as eventlib's Redis adapter writes and reads them. */
const EVENT_FIELD = 'event';
const KEY_FIELD = 'key';

export interface RedisWorkerOptions extends WorkerOptions {
  redis: RedisTarget;
  /** Pending entries of other consumers idle this long are reclaimed (a crashed worker's claimed commands). */
  claimIdleMs?: number;
  /** How long one XREADGROUP blocks. */
  blockMs?: number;
  /** Optimistic transaction attempts per command before the command is left pending for a later retry. */
  maxAttempts?: number;
}

interface StreamEntry {
  id: string;
  message: Record<string, string> | null;
}

/**
 * The lending worker on Redis Streams: per-command optimistic transactions, WATCH / MULTI / EXEC (design in
 * ../README.md). Workers with different names read `lending-commands` in one consumer group and work in parallel.
 *
 * node-redis is used directly here rather than through eventlib: the command's XACK and the outcome's XADD must
 * commit in the same MULTI as the state keys, or a crash could leave a decided command unacknowledged with its
 * state half written. Entries use eventlib's stream format (`key`, `event` = the envelope JSON), so the views read
 * `lending-events` with eventlib as usual.
 *
 * Connections: WATCH belongs to a connection, so every transaction runs on this worker's own `txn` client, one
 * command at a time; blocking reads use a second client. The group is created at `0` with MKSTREAM, so commands
 * queued before any worker ever ran are processed. On start the worker first re-reads its own pending entries
 * (what it had claimed before a crash), and every `claimIdleMs / 2` reclaims entries idle longer than
 * `claimIdleMs` from other (dead) consumers with XAUTOCLAIM. Deciding a command again is safe: its outcome key
 * makes it a duplicate (XACK only).
 */
export async function startRedisWorker(opts: RedisWorkerOptions): Promise<LendingWorker> {
  const { topics, config, clock, name } = opts;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  const blockMs = opts.blockMs ?? 1_000;
  const maxAttempts = opts.maxAttempts ?? 200;
  const log = opts.log.child({ worker: name, transport: 'redis' });
  const keys = new LendingKeys(topics.keyTag);
  const stats = newStats();
  const group = topics.workerGroup;

  let reader: LendingRedisClient | undefined;
  let txn: LendingRedisClient | undefined;
  try {
    reader = await connectLendingRedis(opts.redis);
    txn = await connectLendingRedis(opts.redis);
    try {
      await txn.xGroupCreate(topics.commands, group, '0', { MKSTREAM: true });
    } catch (err) {
      if (!/^BUSYGROUP/.test((err as Error).message)) throw err;
    }
  } catch (err) {
    await Promise.all([closeLendingRedis(reader), closeLendingRedis(txn)]);
    throw err;
  }
  const r = reader;
  const t = txn;

  /** Writes eventlib's dead-letter record (`event-dead-lettered` on `<commands>.dlq`) and XACKs, atomically. */
  const deadLetterEntry = async (entry: StreamEntry, reason: string, event?: Envelope) => {
    stats.deadLettered += 1;
    log.warn({ entry: entry.id, reason }, 'dead-lettering a lending command');
    const data: DeadLetterData = {
      cause: event ? 'not-retriable' : 'poison',
      reason,
      group,
      attempts: 1,
      source: {
        topic: topics.commands,
        partition: 0,
        offset: entry.id,
        key: entry.message?.[KEY_FIELD] ?? null,
        value: entry.message?.[EVENT_FIELD] ?? null,
      },
      ...(event ? { event } : {}),
    };
    const record = newEvent({ type: DEAD_LETTER_TYPE, key: data.source.key ?? '', data, producer: name, clock });
    await t
      .multi()
      .xAdd(deadLetterTopic(topics.commands), '*', { [KEY_FIELD]: record.key, [EVENT_FIELD]: encodeEnvelope(record) })
      .xAck(topics.commands, group, entry.id)
      .exec();
  };

  /** One optimistic transaction per attempt; true once the command's effects and XACK are committed. */
  const attempt = async (entry: StreamEntry, envelope: Envelope, command: LendingCommand): Promise<boolean> => {
    const readSet = readSetOf(command);
    const allKeys = keys.keysOf(readSet);
    await t.watch(keys.watchedKeysOf(readSet));
    const before = parseSlice(readSet, await t.mGet(allKeys));
    const state = stateFromSlice(before);
    const decided = decide(command, state, { now: clock(), config });
    if (isLendingError(decided)) {
      await t.unwatch();
      await deadLetterEntry(entry, decided.message, envelope);
      return true;
    }
    if (decided.length === 0) {
      await t.unwatch();
      stats.duplicates += 1;
      // A redelivered or repeated command. Its shelving copy (if any) was written in the MULTI of its outcome.
      await t.xAck(topics.commands, group, entry.id);
      return true;
    }
    const after = sliceOf(evolveAll(state, decided), readSet);
    const writes = sliceWrites(keys, before, after);
    const envelopes = eventEnvelopes(decided, { producer: name, causedBy: envelope, clock });
    const multi = t.multi();
    for (const [key, value] of writes.set) multi.set(key, value);
    if (writes.del.length > 0) multi.del(writes.del);
    if (writes.storageDelta !== 0) multi.incrBy(keys.storage, writes.storageDelta);
    for (const e of envelopes) {
      const fields = { [KEY_FIELD]: e.key, [EVENT_FIELD]: encodeEnvelope(e) };
      multi.xAdd(topics.events, '*', fields);
      if (e.type === 'books-sent-to-shelving') multi.xAdd(topics.shelving, '*', fields);
    }
    multi.xAck(topics.commands, group, entry.id);
    try {
      await multi.exec();
    } catch (err) {
      if (err instanceof WatchError) return false;
      throw err;
    }
    stats.decided += 1;
    log.debug({ requestId: command.data.requestId, outcome: decided[0]!.type }, 'decided');
    return true;
  };

  const handle = async (entry: StreamEntry) => {
    if (!entry.message) {
      // Trimmed or deleted while pending: nothing to decide.
      await t.xAck(topics.commands, group, entry.id);
      return;
    }
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(JSON.parse(entry.message[EVENT_FIELD] ?? 'null'));
    } catch (err) {
      await deadLetterEntry(entry, `not a lending command envelope: ${(err as Error).message}`);
      return;
    }
    const command = commandOf(envelope);
    if (isLendingError(command)) {
      await deadLetterEntry(entry, command.message, envelope);
      return;
    }
    for (let n = 1; n <= maxAttempts; n++) {
      if (await attempt(entry, envelope, command)) return;
      stats.conflicts += 1;
      // A conflict means another worker committed: back off a little (jittered) and decide again on fresh keys.
      await sleep(Math.round(Math.random() * Math.min(100, 2 * n)));
    }
    log.warn({ entry: entry.id }, 'too many conflicts; leaving the command pending for a later reclaim');
  };

  let stopping = false;
  let started = false;
  let failWith: (reason: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => (failWith = resolve));
  const loop = (async () => {
    let ownPending = true;
    let nextClaim = 0;
    let cursor = '0-0';
    let failures = 0;
    while (!stopping) {
      try {
        let entries: StreamEntry[] = [];
        if (ownPending) {
          // What this worker (by name) had claimed before it stopped or crashed: finish it first.
          entries = await readGroup(r, group, name, topics.commands, '0', {});
          if (entries.length === 0) ownPending = false;
        } else if (Date.now() >= nextClaim) {
          const claimed = await r.xAutoClaim(topics.commands, group, name, claimIdleMs, cursor, { COUNT: 50 });
          cursor = String(claimed.nextId);
          entries = (claimed.messages as (StreamEntry | null)[]).filter((m): m is StreamEntry => m !== null);
          if (cursor === '0-0') nextClaim = Date.now() + Math.max(50, Math.floor(claimIdleMs / 2));
          if (entries.length > 0) log.info({ count: entries.length }, 'reclaimed idle commands of another worker');
        } else {
          const block = Math.max(10, Math.min(blockMs, nextClaim - Date.now()));
          entries = await readGroup(r, group, name, topics.commands, '>', { BLOCK: block });
        }
        started = true;
        for (const entry of entries) {
          if (stopping) break;
          await handle(entry);
        }
        failures = 0;
      } catch (err) {
        if (stopping) break;
        if (/NOGROUP/.test((err as Error).message)) {
          // The group was created at start: its stream (or the group) is gone, so Redis lost data. Deciding now
          // would start from an empty state and could lend a copy twice.
          const reason = `the stream ${topics.commands} or its group ${group} vanished from Redis (data lost on the server?): stopping instead of deciding on an empty state`;
          log.error({ stream: topics.commands, group }, reason);
          stopping = true;
          failWith(reason);
          break;
        }
        failures += 1;
        log.warn({ err: (err as Error).message }, 'lending worker loop failed; retrying');
        await sleep(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  })();
  log.info({ group, commands: topics.commands, events: topics.events }, 'lending worker started');

  let closing: Promise<void> | undefined;
  return {
    name,
    transport: 'redis',
    stats: () => ({ ...stats }),
    ready: () => started && !stopping,
    failed,
    close: () =>
      (closing ??= (async () => {
        stopping = true;
        await loop;
        await Promise.all([closeLendingRedis(r), closeLendingRedis(t)]);
        log.info({ stats }, 'lending worker stopped');
      })()),
  };
}

async function readGroup(
  client: LendingRedisClient,
  group: string,
  consumer: string,
  stream: string,
  id: string,
  opts: { BLOCK?: number },
): Promise<StreamEntry[]> {
  const reply = (await client.xReadGroup(group, consumer, { key: stream, id }, { COUNT: 50, ...opts })) as
    { name: string; messages: StreamEntry[] }[] | null;
  return (reply ?? []).flatMap((s) => s.messages);
}
