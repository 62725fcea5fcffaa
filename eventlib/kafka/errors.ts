import { EventLibError, isEventLibError } from '../errors.js';

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);
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
  if (TIMEOUT_ERRORS.has(name)) return new EventLibError('EVT_ERR_TIMEOUT', message, { cause: err });
  if (name === 'KafkaJSSASLAuthenticationError' || (e.type && AUTH_TYPES.has(e.type))) {
    return new EventLibError('EVT_ERR_AUTH', message, { cause: err });
  }
  if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION')
    return new EventLibError('EVT_ERR_UNKNOWN_TOPIC', message, { cause: err });
  return new EventLibError('EVT_ERR_BROKER', message, { cause: err, retriable: e.retriable ?? true });
}
