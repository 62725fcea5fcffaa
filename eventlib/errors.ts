/**
 * The eventlib error catalogue. Recognise errors by `code` (see `isEventLibError`), never by message.
 * Kafka and Redis failures are translated into these codes once, inside their adapters.
 */
export const EVT_ERROR_CODES = {
  /** Bad options or arguments (unknown URL scheme, bad partitions...). A programming error. */
  EVT_ERR_INVALID_OPTIONS: { retriable: false, poison: false },
  /** The bus or subscription is closed; create a new one. */
  EVT_ERR_CLOSED: { retriable: false, poison: false },
  /** Something did not happen in time (waitForPosition, waitUntilCaughtUp, a broker request). */
  EVT_ERR_TIMEOUT: { retriable: true, poison: false },
  /** The broker or server could not be reached, or the connection dropped. Try again later. */
  EVT_ERR_CONNECTION: { retriable: true, poison: false },
  /** Credentials were refused (SASL, Redis AUTH/ACL). Fix the configuration. */
  EVT_ERR_AUTH: { retriable: false, poison: false },
  /**
   * TLS could not be set up: the server's certificate is not signed by a trusted CA (a wrong `ca`), names another
   * host, has expired, or the other side does not speak TLS. Retrying gives the same answer: fix the configuration.
   */
  EVT_ERR_TLS: { retriable: false, poison: false },
  /** The topic or stream does not exist and could not be created. */
  EVT_ERR_UNKNOWN_TOPIC: { retriable: false, poison: false },
  /**
   * A topic exists with another partition count than the one declared (`ensureTopic(name, { partitions })`). A
   * start-up error: fix the declaration or the topic; it is never used silently.
   */
  EVT_ERR_TOPIC_MISMATCH: { retriable: false, poison: false },
  /**
   * The log under a running subscription was reset or deleted (Redis restarted without its data, a stream
   * deleted): consuming on would decide on an empty state. Stop, restore the data, or subscribe with
   * `onLogReset: 'replay'` where rebuilding from the new log is right.
   */
  EVT_ERR_LOG_RESET: { retriable: false, poison: false },
  /** The broker refused or failed a request; `retriable` follows what the broker said. */
  EVT_ERR_BROKER: { retriable: true, poison: false },
  /**
   * Redis atomic commit: the transaction kept failing because other clients changed the keys it WATCHed
   * (`maxConflicts` in a row). Counted as a failed attempt of the retry policy.
   */
  EVT_ERR_CONFLICT: { retriable: true, poison: false },
  /** The memory adapter could not read or write its journal file. */
  EVT_ERR_STORE: { retriable: false, poison: false },
  /** An optional client library (kafkajs, redis) is not installed. */
  EVT_ERR_MISSING_DEPENDENCY: { retriable: false, poison: false },
  /**
   * An event larger than the bus's `maxEventBytes`: `publish` rejects it before writing anything; a consumed
   * message that large is poison (dead-lettered).
   */
  EVT_ERR_TOO_LARGE: { retriable: false, poison: true },
  /** Poison: the bytes are not an event (broken JSON, not UTF-8, empty, or a shape no ingest rule accepts). */
  EVT_ERR_DECODE: { retriable: false, poison: true },
  /** Poison: the message claims to be an envelope but the envelope is invalid. */
  EVT_ERR_INVALID_EVENT: { retriable: false, poison: true },
  /** Poison: the event's data fails the schema registered for its type and version. */
  EVT_ERR_SCHEMA: { retriable: false, poison: true },
  /** Poison: the event's version is not registered for its type (or cannot be upcast). */
  EVT_ERR_UNKNOWN_VERSION: { retriable: false, poison: true },
  /** Poison: the type is not registered and the registry rejects unknown types. */
  EVT_ERR_UNKNOWN_TYPE: { retriable: false, poison: true },
} as const;

export type EventLibErrorCode = keyof typeof EVT_ERROR_CODES;

export class EventLibError extends Error {
  override readonly name = 'EventLibError';
  readonly code: EventLibErrorCode;
  readonly retriable: boolean;

  constructor(code: EventLibErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options?.retriable ?? EVT_ERROR_CODES[code].retriable;
  }
}

/** The start-up error for a topic whose partition count differs from the declared one. */
export function topicMismatchError(topic: string, actual: number, declared: number): EventLibError {
  return new EventLibError(
    'EVT_ERR_TOPIC_MISMATCH',
    `topic ${topic} has ${actual} partitions but is declared with ${declared}: declare ${actual}, or recreate ` +
      `the topic with ${declared} (its events are then lost; Kafka cannot remove partitions)`,
  );
}

/** True when `err` is an eventlib error (optionally with the given code). Works across module copies. */
export function isEventLibError(err: unknown, code?: EventLibErrorCode): err is EventLibError {
  if (typeof err !== 'object' || err === null) return false;
  const c = (err as { code?: unknown }).code;
  return typeof c === 'string' && c in EVT_ERROR_CODES && (code === undefined || c === code);
}

/** True for the codes that mark a message that can never be processed (it goes to the dead-letter topic). */
export function isPoisonError(err: unknown): err is EventLibError {
  return isEventLibError(err) && EVT_ERROR_CODES[err.code].poison;
}

/** A short, loggable description of any thrown value. */
export function describeError(err: unknown): { name: string; message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: err.name, message: err.message, code }
      : { name: err.name, message: err.message };
  }
  return { name: 'NonError', message: String(err) };
}
