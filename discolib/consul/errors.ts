import { DiscoError } from '../errors.js';
import { isTlsFailure, TLS_HINT } from '../tls.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
]);

interface ConsulLikeError {
  message?: string;
  code?: string;
  statusCode?: number;
  isTimeout?: boolean;
  isAbort?: boolean;
  isValidation?: boolean;
  response?: { statusCode?: number };
}

/** HTTP status of a failed Consul call, when Consul answered at all. */
export function consulStatus(err: unknown): number | undefined {
  const e = err as ConsulLikeError | undefined;
  return e?.response?.statusCode ?? e?.statusCode;
}

/**
 * Translates an error of the npm `consul` client (papi errors, Node socket errors) into the discolib
 * catalogue. Messages name the operation and the agent, never the ACL token.
 */
export function translateConsulError(err: unknown, op: string, addr: string): DiscoError {
  if (err instanceof DiscoError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ConsulLikeError;
  const detail = String(e.message ?? err).split('\n')[0];
  const status = consulStatus(err);
  if (isTlsFailure(err)) {
    return new DiscoError('DISCO_ERR_TLS', `consul ${op}: ${detail} at ${addr} (${TLS_HINT})`, { cause: err });
  }
  if (status !== undefined) {
    if (status === 401 || status === 403) {
      return new DiscoError(
        'DISCO_ERR_FORBIDDEN',
        `consul ${op}: permission denied by the agent at ${addr} (check the ACL token): ${detail}`,
        { cause: err },
      );
    }
    if (status === 429 || status >= 500) {
      return new DiscoError(
        'DISCO_ERR_UNAVAILABLE',
        `consul ${op}: the agent at ${addr} answered ${status}: ${detail}`,
        { cause: err },
      );
    }
    return new DiscoError('DISCO_ERR_REJECTED', `consul ${op}: the agent at ${addr} answered ${status}: ${detail}`, {
      cause: err,
    });
  }
  if (e.isTimeout)
    return new DiscoError('DISCO_ERR_TIMEOUT', `consul ${op}: the agent at ${addr} did not answer in time`, {
      cause: err,
    });
  if (e.isAbort)
    return new DiscoError('DISCO_ERR_CLOSED', `consul ${op}: aborted because the registry is closing`, { cause: err });
  if (e.isValidation) return new DiscoError('DISCO_ERR_INVALID', `consul ${op}: ${detail}`, { cause: err });
  if (e.code !== undefined && UNREACHABLE.has(e.code)) {
    return new DiscoError('DISCO_ERR_UNAVAILABLE', `consul ${op}: cannot reach the agent at ${addr} (${e.code})`, {
      cause: err,
    });
  }
  return new DiscoError('DISCO_ERR_UNAVAILABLE', `consul ${op}: request to the agent at ${addr} failed: ${detail}`, {
    cause: err,
  });
}
