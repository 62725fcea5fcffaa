import type { DeadLetterData } from '../consumer/deadLetter.js';
import { toWireMessages, type Envelope } from '../envelope.js';
import type { RedisBusOptions } from '../options.js';

/** Stream entry fields: the envelope JSON and its key (raw XADDs may use any fields; see RedisSubscription). */
export const EVENT_FIELD = 'event';
export const KEY_FIELD = 'key';
/** The set of record ids on a dead-letter stream (see `deadLetterOnce`). */
export const deadLetterIdsKey = (stream: string): string => `eventlib:dead-letter-ids:${stream}`;

/**
 * Adds a dead-letter record unless its id is in the stream's id set, atomically: SISMEMBER, XADD (trimmed like
 * every XADD), SADD. KEYS: stream, id set. ARGV: record id, key, envelope JSON, MAXLEN threshold or ''.
 * Returns the entry id, or nil for a duplicate. (If XADD fails nothing was changed; SADD follows it.)
 */
export const DEAD_LETTER_ONCE_SCRIPT = `
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

/** The `EVAL` options of `DEAD_LETTER_ONCE_SCRIPT` for `record` on the dead-letter stream `topic`. */
export function deadLetterOnce(
  topic: string,
  record: Envelope<DeadLetterData>,
  options: Pick<RedisBusOptions, 'maxLen' | 'maxEventBytes'>,
): { keys: string[]; arguments: string[] } {
  const [wire] = toWireMessages([record], options.maxEventBytes);
  return {
    keys: [topic, deadLetterIdsKey(topic)],
    arguments: [record.id, wire!.key, wire!.value, options.maxLen === null ? '' : String(options.maxLen)],
  };
}

/** The XADD trimming of the bus (`MAXLEN ~ maxLen`), or none. */
export function xAddTrim(options: Pick<RedisBusOptions, 'maxLen'>) {
  return options.maxLen === null
    ? undefined
    : { TRIM: { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: options.maxLen } };
}
