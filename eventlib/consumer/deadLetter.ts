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
    /** The original payload, byte for byte as UTF-8 text, so it can be fixed and replayed. */
    value: z.string().nullable(),
  }),
  /** The decoded event, when there was one. */
  event: EnvelopeSchema.optional(),
});
export type DeadLetterData = z.infer<typeof DeadLetterDataSchema>;

/**
 * The dead-letter record of one message. Its id is stable per (group, message), so a dead-letter written twice
 * (a crash between writing it and acknowledging the message) can be recognised as a duplicate.
 */
export function deadLetterEnvelope(input: {
  message: RawMessage;
  group: string;
  cause: DeadLetterCause;
  reason: string;
  error?: unknown;
  attempts: number;
  event?: Envelope | undefined;
}): Envelope<DeadLetterData> {
  const { message, event } = input;
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
  if (input.error !== undefined) data.error = describeError(input.error);
  if (event) data.event = event;
  return newEvent({
    id: stableEventId('dlq', input.group, message.topic, message.position.partition, message.position.offset),
    type: DEAD_LETTER_TYPE,
    key: event?.key ?? message.key ?? '',
    data,
    producer: 'eventlib',
    ...(event ? { causedBy: event } : {}),
  });
}
