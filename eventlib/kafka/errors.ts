import { EventLibError, isEventLibError } from '../errors.js';
import { isTlsFailure, TLS_HINT } from '../tls.js';

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);
/** How kafkajs words a broker it cannot reach, whatever error class carries it. */
const CONNECTION_MESSAGE =
  /Connection error|connect ECONNREFUSED|ECONNRESET|EPIPE|Closed connection|Connection timeout|not connected|Broker not (found|connected)|There is no leader for this topic-partition|The coordinator is (loading|not available)/i;
const TIMEOUT_ERRORS = new Set(['KafkaJSRequestTimeoutError', 'KafkaJSTimeout']);
const AUTH_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);

interface KafkaJsErrorLike {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

/** Kafka (kafkajs) errors -> eventlib codes. The only place that knows kafkajs error names. */
export function translateKafkaError(err: unknown, action: string): EventLibError {
  if (isEventLibError(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as KafkaJsErrorLike;
  const inner = e.originalError ?? e.cause;
  // A certificate the CA does not vouch for (or TLS against a plain port) stays so: never retried.
  if (isTlsFailure(err)) {
    return new EventLibError('EVT_ERR_TLS', `${action}: ${innermostMessage(err)} (${TLS_HINT})`, { cause: err });
  }
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' && inner) {
    const translated = translateKafkaError(inner, action);
    return new EventLibError(translated.code, `${translated.message} (retries exhausted)`, {
      cause: err,
      retriable: translated.retriable,
    });
  }
  const message = `${action}: ${e.message ?? 'unknown Kafka error'}`;
  const name = e.name ?? '';
  if (CONNECTION_ERRORS.has(name)) return new EventLibError('EVT_ERR_CONNECTION', message, { cause: err });
  // kafkajs gives up on a broker that is down with a "non-retriable" wrapper of the connection error (message
  // only). For us the broker being away is always worth retrying: a saga step dead-lettered for it is lost.
  if (name === 'KafkaJSNonRetriableError' && inner) return translateKafkaError(inner, action);
  if (CONNECTION_MESSAGE.test(e.message ?? '')) return new EventLibError('EVT_ERR_CONNECTION', message, { cause: err });
  if (TIMEOUT_ERRORS.has(name)) return new EventLibError('EVT_ERR_TIMEOUT', message, { cause: err });
  if (name === 'KafkaJSSASLAuthenticationError') {
    return new EventLibError('EVT_ERR_AUTH', `${message} (check the SASL mechanism, username and password)`, {
      cause: err,
    });
  }
  if (e.type && AUTH_TYPES.has(e.type)) return new EventLibError('EVT_ERR_AUTH', message, { cause: err });
  if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION')
    return new EventLibError('EVT_ERR_UNKNOWN_TOPIC', message, { cause: err });
  return new EventLibError('EVT_ERR_BROKER', message, { cause: err, retriable: e.retriable ?? true });
}

/** The message of the innermost error kafkajs wrapped (its retry wrappers repeat it). */
function innermostMessage(err: unknown): string {
  let e = err as KafkaJsErrorLike | undefined;
  for (let depth = 0; depth < 5 && e && (e.originalError ?? e.cause); depth++) {
    e = (e.originalError ?? e.cause) as KafkaJsErrorLike;
  }
  return (e?.message ?? String(err)).split('\n')[0]!;
}

/**
 * A failed call on a topic the bus ensured before (a produce, a subscription's offset reads): "unknown topic" then
 * is a broker that is still loading its partitions after a restart, worth retrying (a command dead-lettered for it
 * would be lost).
 */
export function translateOnEnsuredTopic(err: unknown, action: string): EventLibError {
  const translated = translateKafkaError(err, action);
  if (translated.code !== 'EVT_ERR_UNKNOWN_TOPIC' || translated.retriable) return translated;
  return new EventLibError(translated.code, `${translated.message} (the broker is loading its partitions)`, {
    cause: err,
    retriable: true,
  });
}

/** Broker answers that mean "the topic is not (yet) in this broker's metadata", normal right after a creation. */
const TOPIC_NOT_READY_TYPES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
]);
const TOPIC_NOT_READY_NAMES = new Set(['KafkaJSTopicMetadataNotLoaded', 'KafkaJSMetadataNotLoaded']);

/**
 * True for the transient errors a topic shows while its creation (by this process or another) propagates:
 * unknown topic ("This server does not host this topic-partition"), no leader yet, metadata not loaded, the
 * controller moving. Looks inside kafkajs's retry and aggregate wrappers.
 */
export function isTopicNotReadyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as KafkaJsErrorLike & { errors?: unknown[] };
  if (e.name && TOPIC_NOT_READY_NAMES.has(e.name)) return true;
  if (e.type && TOPIC_NOT_READY_TYPES.has(e.type)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every(isTopicNotReadyError);
  const inner = e.originalError ?? e.cause;
  return inner !== undefined && inner !== err && isTopicNotReadyError(inner);
}
