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
  /** UTF-8 payload; null for a Kafka tombstone or a Redis entry without payload. */
  value: string | null;
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

/** Producer name put on events built from raw input. */
export const INGEST_PRODUCER = 'eventlib-ingest';

/**
 * Raw bytes -> envelope, following SPEC §2: envelope as is; bare JSON object and text line by the subscription's
 * rules; then the registry validates and upcasts. Never throws for bad input: returns a poison error instead.
 */
export function decodeMessage(
  raw: RawMessage,
  options: { registry?: EventRegistry | undefined; ingest?: IngestRules | undefined } = {},
): DecodeResult {
  try {
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

  if (text.startsWith('{') || text.startsWith('[')) {
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

  // Not an object: a JSON string counts as its text, anything else as the line itself.
  let line = text;
  if (text.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'string') line = value;
    } catch {
      // a line that merely starts with a quote
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
