import { EventLibError, isEventLibError } from '../errors.js';
import { isTlsFailure, TLS_HINT } from '../tls.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENOENT',
  'EPIPE',
  'ETIMEDOUT',
]);
const CONNECTION_ERRORS = new Set([
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'ReconnectStrategyError',
]);
const TRANSIENT_REPLIES = ['BUSY', 'LOADING', 'TRYAGAIN', 'READONLY', 'MASTERDOWN', 'CLUSTERDOWN'];

/** Redis (node-redis) errors -> eventlib codes. The only place that knows node-redis error names and replies. */
export function translateRedisError(err: unknown, action: string): EventLibError {
  if (isEventLibError(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as {
    name?: string;
    message?: string;
    code?: string;
    socketError?: unknown;
    originalError?: unknown;
    constructor?: { name?: string };
  };
  // node-redis wraps the socket error when the reconnect strategy gives up (ReconnectStrategyError).
  const inner = e.socketError ?? e.originalError;
  if (inner && inner !== err) {
    const translated = translateRedisError(inner, action);
    return new EventLibError(translated.code, translated.message, { cause: err, retriable: translated.retriable });
  }
  const text = e.message ?? 'unknown Redis error';
  const message = `${action}: ${text}`;
  if (isTlsFailure(err)) return new EventLibError('EVT_ERR_TLS', `${message} (${TLS_HINT})`, { cause: err });
  if (e.name === 'ClientClosedError') return new EventLibError('EVT_ERR_CLOSED', message, { cause: err });
  if (CONNECTION_ERRORS.has(e.name ?? '') || (e.code && CONNECTION_CODES.has(e.code))) {
    return new EventLibError('EVT_ERR_CONNECTION', message, { cause: err });
  }
  if (/^(NOAUTH|WRONGPASS|NOPERM)\b/.test(text) || /^ERR AUTH\b/.test(text) || /AUTH.*(fail|invalid)/i.test(text)) {
    return new EventLibError('EVT_ERR_AUTH', `${message} (check the Redis username and password)`, { cause: err });
  }
  if (/^NOGROUP\b/.test(text)) return new EventLibError('EVT_ERR_UNKNOWN_TOPIC', message, { cause: err });
  const transient = TRANSIENT_REPLIES.some((reply) => text.startsWith(reply));
  const isReply = e.name === 'ErrorReply' || /^[A-Z]+ /.test(text);
  return new EventLibError('EVT_ERR_BROKER', message, { cause: err, retriable: transient || !isReply });
}

/** NOGROUP: the stream or the consumer group does not exist (deleted, or the server lost its data). */
export function isNoGroupError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && /^NOGROUP\b/.test(String((err as { message?: unknown }).message));
}
