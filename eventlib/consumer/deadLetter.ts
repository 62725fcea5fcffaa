import { z } from 'zod';
import { EnvelopeSchema, newEvent, type Envelope } from '../envelope.js';
import { describeError } from '../errors.js';
import { stableEventId } from '../ids.js';
import type { RawMessage } from '../ingest.js';

/** Type of the envelopes written to `<topic>.dlq`. Subscribe to the dead-letter topic to inspect or replay them. */
export const DEAD_LETTER_TYPE = 'event-dead-lettered';

export const DeadLetterCauseSchema = z.enum([
  /** The message could not be decoded or validated (broken JSON, schema failure, unknown version). */
  'poison',
  /** The handler returned `deadLetter(reason)`. */
  'handler',
  /** The handler kept failing (throw or `retry`) until the retry policy's attempts were used up. */
  'retries-exhausted',
  /** The handler threw an error that is never retried (TypeError, `retriable: false`...). */
  'not-retriable',
  /** Redis: the entry was delivered more often than the delivery cap (its consumers kept dying). */
  'delivery-cap',
]);
export type DeadLetterCause = z.infer<typeof DeadLetterCauseSchema>;

export const DeadLetterDataSchema = z.object({
  cause: DeadLetterCauseSchema,
  /** What went wrong, for a person. */
  reason: z.string(),
  error: z.object({ name: z.string(), message: z.string(), code: z.string().optional() }).optional(),
  group: z.string(),
  /** Handler calls made before giving up (0 for poison). */
  attempts: z.int().min(0),
  source: z.object({
    topic: z.string(),
    partition: z.int(),
    offset: z.string(),
    key: z.string().nullable(),
    /**
     * The original payload, byte for byte as UTF-8 text (base64 when `encoding` says so), so it can be fixed and
     * replayed; only its start when `truncated`.
     */
    value: z.string().nullable(),
    /** `base64`: the payload was not valid UTF-8; `value` holds its bytes in base64. */
    encoding: z.literal('base64').optional(),
    /** True when `value` is cut short so the record stays within the bus's `maxEventBytes`. */
    truncated: z.boolean().optional(),
    /** The payload's size in bytes, given when `value` is truncated. */
    size: z.int().min(0).optional(),
  }),
  /** The decoded event, when there was one. */
  event: EnvelopeSchema.optional(),
});
export type DeadLetterData = z.infer<typeof DeadLetterDataSchema>;

/** Cut to this many characters when a record would not fit into the bus's maxEventBytes otherwise. */
const SHORT_TEXT = 500;

/**
 * The dead-letter record of one message. Its id is stable per message (topic, partition, offset) for poison, and
 * per (group, message) for what a group's handler gave up on, so a dead letter written again (a crash between
 * writing it and acknowledging the message, another group, a replay) is recognised as a duplicate.
 * With `maxBytes`, a record that would be larger (an oversized payload, a huge schema report) leaves out the decoded
 * event, then keeps only the start of the payload (`truncated`, `size`) and of long texts, so it can be written.
 */
export function deadLetterEnvelope(input: {
  message: RawMessage;
  group: string;
  cause: DeadLetterCause;
  reason: string;
  error?: unknown;
  attempts: number;
  event?: Envelope | undefined;
  maxBytes?: number | undefined;
}): Envelope<DeadLetterData> {
  const { message, maxBytes } = input;
  const event = input.event;
  const data: DeadLetterData = {
    cause: input.cause,
    reason: input.reason,
    group: input.group,
    attempts: input.attempts,
    source: {
      topic: message.topic,
      partition: message.position.partition,
      offset: message.position.offset,
      key: message.key,
      value: message.value,
    },
  };
  if (message.encoding) data.source.encoding = message.encoding;
  if (input.error !== undefined) data.error = describeError(input.error);
  if (event) data.event = event;
  const id =
    input.cause === 'poison'
      ? stableEventId('dlq', message.topic, message.position.partition, message.position.offset)
      : stableEventId('dlq', input.group, message.topic, message.position.partition, message.position.offset);
  const build = () =>
    newEvent({
      id,
      type: DEAD_LETTER_TYPE,
      key: event?.key ?? message.key ?? '',
      data,
      producer: 'eventlib',
      ...(event ? { causedBy: event } : {}),
    });
  let record = build();
  if (maxBytes === undefined || fits(record, maxBytes)) return record;

  // Too large: first without the decoded copy (the payload holds it), then with a shorter payload and texts.
  delete data.event;
  record = build();
  const value = message.value;
  if (fits(record, maxBytes) || value === null) return record;
  data.source.size = message.size ?? Buffer.byteLength(value, message.encoding === 'base64' ? 'base64' : 'utf8');
  data.source.truncated = true;
  for (let shortTexts = false; ; shortTexts = true) {
    if (shortTexts) {
      data.reason = short(data.reason);
      if (data.error) data.error = { ...data.error, message: short(data.error.message) };
    }
    data.source.value = '';
    const overhead = encodedBytes(build());
    let length = Math.min(value.length, Math.max(0, maxBytes - overhead));
    while (length > 0) {
      // Never cut a surrogate pair in half (the record would not be valid UTF-8).
      const end = isHighSurrogate(value.charCodeAt(length - 1)) ? length - 1 : length;
      data.source.value = value.slice(0, end);
      record = build();
      if (fits(record, maxBytes)) return record;
      length = Math.floor(end * 0.75);
    }
    data.source.value = '';
    record = build();
    if (fits(record, maxBytes) || shortTexts) return record;
  }
}

const encodedBytes = (record: Envelope): number => Buffer.byteLength(JSON.stringify(record), 'utf8');
const fits = (record: Envelope, maxBytes: number): boolean => encodedBytes(record) <= maxBytes;
const short = (text: string): string => (text.length > SHORT_TEXT ? `${text.slice(0, SHORT_TEXT)}...` : text);
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
