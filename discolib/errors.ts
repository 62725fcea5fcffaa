/**
 * The discolib error catalogue. Recognise errors by `code` (see `isDiscoError`), never by message.
 * Consul and DNS failures are translated into these codes inside their adapters.
 */
export const DISCO_ERROR_CODES = {
  /** Bad arguments or options (empty name, empty tags array, bad port...). A programming error. */
  DISCO_ERR_INVALID: { retriable: false },
  /** The registry (or watch) was closed; create a new one. */
  DISCO_ERR_CLOSED: { retriable: false },
  /** The backend (Consul agent, DNS server) could not be reached or answered 5xx. Try again later. */
  DISCO_ERR_UNAVAILABLE: { retriable: true },
  /** The backend did not answer in time. */
  DISCO_ERR_TIMEOUT: { retriable: true },
  /** The ACL token is missing, wrong, or lacks a permission (HTTP 401/403 from Consul). */
  DISCO_ERR_FORBIDDEN: { retriable: false },
  /**
   * TLS to the backend could not be set up: its certificate is not signed by the CA given, names another host, or
   * the backend does not speak TLS there. Retrying gives the same answer.
   */
  DISCO_ERR_TLS: { retriable: false },
  /** The backend refused the request (other 4xx); the message says why. */
  DISCO_ERR_REJECTED: { retriable: false },
  /** An instance lock is held by another live holder; retrying gives the same answer until it is released or forced. */
  DISCO_ERR_LOCK_HELD: { retriable: false },
} as const;

export type DiscoErrorCode = keyof typeof DISCO_ERROR_CODES;

export class DiscoError extends Error {
  override readonly name = 'DiscoError';
  readonly code: DiscoErrorCode;
  readonly retriable: boolean;

  constructor(code: DiscoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retriable = DISCO_ERROR_CODES[code].retriable;
  }
}

/** True when `err` is a discolib error (optionally with the given code). Works across module copies. */
export function isDiscoError(err: unknown, code?: DiscoErrorCode): err is DiscoError {
  if (typeof err !== 'object' || err === null) return false;
  const c = (err as { code?: unknown }).code;
  return typeof c === 'string' && c in DISCO_ERROR_CODES && (code === undefined || c === code);
}
