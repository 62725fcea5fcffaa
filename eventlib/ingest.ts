import { EnvelopeSchema, type Envelope } from './envelope.js';
import { EventLibError } from './errors.js';
import { stableEventId } from './ids.js';
import type { Position } from './port.js';
import type { EventRegistry } from './registry.js';
import { z } from 'zod';

/** One message as an adapter read it off the wire, before decoding. */
export interface RawMessage {
  topic: string;
  position: Position;
  /** Kafka message key or the Redis `key` field; null when absent (e.g. `kcat -P` without `-K`). */
  key: string | null;
  /**
   * The payload as text; null for a Kafka tombstone or a Redis entry without payload. Base64 of the bytes when
   * `encoding` says so.
   */
  value: string | null;
  /**
   * `base64`: the payload bytes are not valid UTF-8, so `value` holds them in base64 and the message is poison.
   * Only an adapter that reads bytes can tell (Kafka); Redis and memory hand over strings (see eventlib/README.md).
   */
  encoding?: 'base64';
  /** Payload size in bytes as stored, when the adapter knows it (Kafka); else the UTF-8 length of `value`. */
  size?: number;
  /** Broker append time, ms since the epoch (used as `occurredAt` of wrapped input). */
  timestamp: number;
}

/** What an ingest rule makes of raw input; the envelope fields around it are filled in by `decodeMessage`. */
export interface IngestedEvent {
  type: string;
  data: unknown;
  /** Defaults to the message key, or '' without one. */
  key?: string;
  /** Defaults to the registry's latest version of `type`, or 1. */
  version?: number;
}

/**
 * Turns raw input into an event: either declaratively (`{ type, data?, key? }`, `data` defaulting to the input
 * itself for bare JSON and to `{ text }` for text lines) or as a function (return undefined to reject = poison).
 */
export type IngestRule<I> =
  | {
      type: string;
      version?: number;
      data?: (input: I) => unknown;
      key?: (input: I, raw: RawMessage) => string;
    }
  | ((input: I, raw: RawMessage) => IngestedEvent | undefined);

/**
 * Per-subscription rules for kcat-style input (SPEC §2). A full envelope is always used as is; a JSON object with
 * `type` and `data` but missing envelope fields is completed. Without a matching rule, other input is poison.
 */
export interface IngestRules {
  /** A JSON object that is not an envelope, e.g. `{"title":"Dune"}`. */
  bareJson?: IngestRule<Record<string, unknown>>;
  /** A line that is not JSON, e.g. `Dune` (bookshelf: a `book-read` of that title). */
  text?: IngestRule<string>;
}

export type DecodeResult =
  { ok: true; event: Envelope; via: 'envelope' | 'bare-json' | 'text' } | { ok: false; error: EventLibError };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
/** First characters of a JSON string, number, true, false or null: `"`, `-`, 0-9, t, f, n. */
const MAY_START_JSON_SCALAR = new Set([
  0x22, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x74, 0x66, 0x6e,
]);
const NOT_JSON = Symbol('not JSON');

/** Producer name put on events built from raw input. */
export const INGEST_PRODUCER = 'eventlib-ingest';

/**
 * Raw bytes -> envelope, following SPEC §2: envelope as is; bare JSON object and text line by the subscription's
 * rules; then the registry validates and upcasts. Never throws for bad input: returns a poison error instead.
 */
export function decodeMessage(
  raw: RawMessage,
  options: {
    registry?: EventRegistry | undefined;
    ingest?: IngestRules | undefined;
    /** A larger payload is poison (EVT_ERR_TOO_LARGE); unlimited when absent. */
    maxEventBytes?: number | undefined;
  } = {},
): DecodeResult {
  try {
    const max = options.maxEventBytes;
    if (max !== undefined && raw.value !== null) {
      const size = raw.size ?? (raw.value.length * 3 > max ? Buffer.byteLength(raw.value, 'utf8') : 0);
      if (size > max) {
        throw new EventLibError(
          'EVT_ERR_TOO_LARGE',
          `message of ${size} bytes is larger than the limit of ${max} bytes (maxEventBytes)`,
        );
      }
    }
    if (raw.encoding === 'base64') throw new EventLibError('EVT_ERR_DECODE', 'the payload is not valid UTF-8');
    const { event, via } = toEnvelope(raw, options.ingest ?? {}, options.registry);
    const checked = options.registry ? options.registry.parse(event) : event;
    return { ok: true, event: checked, via };
  } catch (err) {
    if (err instanceof EventLibError) return { ok: false, error: err };
    return {
      ok: false,
      error: new EventLibError('EVT_ERR_DECODE', `ingest rule failed: ${(err as Error).message}`, { cause: err }),
    };
  }
}

function toEnvelope(
  raw: RawMessage,
  rules: IngestRules,
  registry: EventRegistry | undefined,
): { event: Envelope; via: 'envelope' | 'bare-json' | 'text' } {
  const text = raw.value?.trim() ?? '';
  if (text === '') throw new EventLibError('EVT_ERR_DECODE', 'empty message');

  const first = text.charCodeAt(0);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new EventLibError('EVT_ERR_DECODE', `broken JSON: ${(err as Error).message}`, { cause: err });
    }
    if (Array.isArray(parsed)) throw new EventLibError('EVT_ERR_DECODE', 'a JSON array is not an event');
    const object = parsed as Record<string, unknown>;
    if (typeof object.type === 'string' && 'data' in object) {
      return { event: completeEnvelope(object, raw, registry), via: 'envelope' };
    }
    if (!rules.bareJson) {
      throw new EventLibError('EVT_ERR_DECODE', 'a JSON object without type and data, and no bareJson ingest rule');
    }
    return { event: wrap(rules.bareJson, object, object, raw, registry), via: 'bare-json' };
  }

  // Other JSON values: a string counts as its text; null, numbers and booleans are not events. Anything that does
  // not parse as JSON is a text line.
  let line = text;
  if (MAY_START_JSON_SCALAR.has(first)) {
    let value: unknown = NOT_JSON;
    try {
      value = JSON.parse(text);
    } catch {
      // a text line, e.g. "true story" or "-30-"
    }
    if (typeof value === 'string') line = value;
    else if (value !== NOT_JSON) {
      throw new EventLibError('EVT_ERR_DECODE', `a JSON ${value === null ? 'null' : typeof value} is not an event`);
    }
  }
  if (!rules.text) throw new EventLibError('EVT_ERR_DECODE', 'a text line, and no text ingest rule');
  return { event: wrap(rules.text, line, { text: line }, raw, registry), via: 'text' };
}

function completeEnvelope(object: Record<string, unknown>, raw: RawMessage, registry: EventRegistry | undefined) {
  // Defaults are computed only for the fields the object lacks (a full envelope has them all: no hashing, no date).
  const id =
    typeof object.id === 'string'
      ? object.id
      : stableEventId('ingest', raw.topic, raw.position.partition, raw.position.offset);
  const type = object.type as string;
  const candidate = {
    id,
    version: 'version' in object ? object.version : (registry?.latestVersion(type) ?? 1),
    occurredAt: 'occurredAt' in object ? object.occurredAt : new Date(raw.timestamp).toISOString(),
    key: raw.key ?? '',
    metadata: { producer: INGEST_PRODUCER, correlationId: typeof object.id === 'string' ? object.id : id },
    ...object,
  };
  const result = EnvelopeSchema.safeParse(candidate);
  if (!result.success) {
    throw new EventLibError('EVT_ERR_INVALID_EVENT', `invalid event envelope: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

function wrap<I>(
  rule: IngestRule<I>,
  input: I,
  defaultData: unknown,
  raw: RawMessage,
  registry: EventRegistry | undefined,
): Envelope {
  let ingested: IngestedEvent | undefined;
  if (typeof rule === 'function') {
    ingested = rule(input, raw);
    if (ingested === undefined) throw new EventLibError('EVT_ERR_DECODE', 'the ingest rule rejected the message');
  } else {
    ingested = { type: rule.type, data: rule.data ? rule.data(input) : defaultData };
    if (rule.version !== undefined) ingested.version = rule.version;
    if (rule.key) ingested.key = rule.key(input, raw);
  }
  const id = stableEventId('ingest', raw.topic, raw.position.partition, raw.position.offset);
  const result = EnvelopeSchema.safeParse({
    id,
    type: ingested.type,
    version: ingested.version ?? registry?.latestVersion(ingested.type) ?? 1,
    occurredAt: new Date(raw.timestamp).toISOString(),
    key: ingested.key ?? raw.key ?? '',
    data: ingested.data,
    metadata: { producer: INGEST_PRODUCER, correlationId: id },
  });
  if (!result.success) {
    throw new EventLibError(
      'EVT_ERR_INVALID_EVENT',
      `ingest rule built an invalid event: ${z.prettifyError(result.error)}`,
      {
        cause: result.error,
      },
    );
  }
  return result.data;
}
