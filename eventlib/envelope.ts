import { z } from 'zod';
import { EventLibError } from './errors.js';
import { newEventId } from './ids.js';

/** kebab-case, lower case letters and digits: `book-added`, `order-v2-created`. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Tracing fields. Unknown keys are kept so newer producers can add fields without older readers dropping them. */
export const MetadataSchema = z.looseObject({
  /** The id shared by every event of one business flow (the root event's id unless given). */
  correlationId: z.string().min(1).optional(),
  /** The id of the event (or command) that directly caused this one. */
  causationId: z.string().min(1).optional(),
  /** Which service or tool produced the event. */
  producer: z.string().min(1).optional(),
});

export const EnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(EVENT_TYPE_PATTERN, 'type must be kebab-case, e.g. book-added'),
  version: z.int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  key: z.string(),
  data: z.unknown().refine((v: unknown): boolean => v !== undefined, 'data is required'),
  metadata: MetadataSchema.default({}),
});

export type EventMetadata = z.infer<typeof MetadataSchema>;

/** An event on the wire and in handlers. `D` is the type of `data` (unknown until a registry or guard narrows it). */
export type Envelope<D = unknown> = Omit<z.infer<typeof EnvelopeSchema>, 'data'> & { data: D };

export interface NewEventInput<D> {
  type: string;
  /** The aggregate or partition key: events with one key keep their order. */
  key: string;
  data: D;
  /** Schema version of `data`; 1 unless given. */
  version?: number;
  producer?: string;
  correlationId?: string;
  causationId?: string;
  /** The event this one reacts to: copies its correlation id and sets the causation id to its id. */
  causedBy?: Pick<Envelope, 'id' | 'metadata'>;
  /** A fixed id (tests, idempotent producers); a random uuid otherwise. */
  id?: string;
  clock?: () => Date;
}

/** Builds a valid envelope: sets id, time, correlation and causation. Throws EVT_ERR_INVALID_EVENT on bad input. */
export function newEvent<D>(input: NewEventInput<D>): Envelope<D> {
  const id = input.id ?? newEventId();
  const causedBy = input.causedBy;
  const metadata: EventMetadata = {
    correlationId: input.correlationId ?? causedBy?.metadata.correlationId ?? causedBy?.id ?? id,
  };
  const causationId = input.causationId ?? causedBy?.id;
  if (causationId !== undefined) metadata.causationId = causationId;
  if (input.producer !== undefined) metadata.producer = input.producer;
  const candidate = {
    id,
    type: input.type,
    version: input.version ?? 1,
    occurredAt: (input.clock?.() ?? new Date()).toISOString(),
    key: input.key,
    data: input.data,
    metadata,
  };
  return parseEnvelope(candidate) as Envelope<D>;
}

/** Validates an unknown value as an envelope. Throws EVT_ERR_INVALID_EVENT with a readable message. */
export function parseEnvelope(value: unknown): Envelope {
  const result = EnvelopeSchema.safeParse(value);
  if (!result.success) {
    throw new EventLibError('EVT_ERR_INVALID_EVENT', `invalid event envelope: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** The wire form: UTF-8 JSON. */
export function encodeEnvelope(event: Envelope): string {
  return JSON.stringify(event);
}

/**
 * Validates events before they are written (EVT_ERR_INVALID_EVENT names the bad one) and encodes them; an
 * encoding larger than `maxEventBytes` is EVT_ERR_TOO_LARGE. Both before anything is written.
 */
export function toWireMessages(
  events: readonly Envelope[],
  maxEventBytes = Number.POSITIVE_INFINITY,
): { key: string; value: string; event: Envelope }[] {
  return events.map((event, index) => {
    const result = EnvelopeSchema.safeParse(event);
    if (!result.success) {
      throw new EventLibError(
        'EVT_ERR_INVALID_EVENT',
        `event #${index} is not a valid envelope: ${z.prettifyError(result.error)}`,
        { cause: result.error },
      );
    }
    const value = encodeEnvelope(result.data);
    // Bytes are at most 3 per UTF-16 unit: measure only values that could be too large.
    const bytes = value.length * 3 > maxEventBytes ? Buffer.byteLength(value, 'utf8') : 0;
    if (bytes > maxEventBytes) {
      throw new EventLibError(
        'EVT_ERR_TOO_LARGE',
        `event #${index} (${result.data.type} ${result.data.id}) is ${bytes} bytes encoded, more than maxEventBytes ` +
          `(${maxEventBytes}); nothing was written`,
      );
    }
    return { key: result.data.key, value, event: result.data };
  });
}
