/**
 * Node's codes for a TLS handshake that failed on the certificate (openssl's verify results and Node's own host
 * check) or on the protocol (a TLS client on a plain port). None of them changes by retrying.
 */
const TLS_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
]);

/** True when `err` (or what it wraps) is a TLS handshake failure that retrying cannot change. */
export function isTlsFailure(err: unknown): boolean {
  let e = err as { code?: unknown; cause?: unknown; originalError?: unknown; socketError?: unknown } | undefined;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    if (typeof e.code === 'string' && TLS_CODES.has(e.code)) return true;
    const inner = e.socketError ?? e.originalError ?? e.cause;
    if (inner === e) break;
    e = inner as typeof e;
  }
  return false;
}

/** The words added to a TLS failure's message: what to check. */
export const TLS_HINT = 'TLS failed: check the CA file and that the server speaks TLS on this port';
