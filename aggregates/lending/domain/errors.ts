/** Error catalogue of the lending domain. Recognise errors by `code`, never by message. */
export const LENDING_ERROR_CODES = [
  /** A command or input failed validation; `field` names the first bad field. HTTP 400, CLI exit 2. */
  'LEND_ERR_VALIDATION',
  /** The lending rules (limit, copies, loan days, storage capacity) are invalid. A startup error. */
  'LEND_ERR_CONFIG',
  /** A `shelve` command names books that differ from the shelving batch the aggregate sent. */
  'LEND_ERR_SHELVING_MISMATCH',
] as const;

export type LendingErrorCode = (typeof LENDING_ERROR_CODES)[number];

export interface LendingIssue {
  /** Path of the bad field: `user`, `books`, `books[3]`, `requestId`, `input`. */
  readonly field: string;
  readonly message: string;
}

/**
 * A domain error: returned (not thrown) by `decide` and `validateLendingInput`, thrown only by `lendingConfig`.
 * Never retriable: the same command fails the same way again.
 */
export class LendingError extends Error {
  override readonly name = 'LendingError';
  readonly code: LendingErrorCode;
  readonly retriable = false;
  readonly field: string;
  readonly issues: readonly LendingIssue[];

  constructor(
    code: LendingErrorCode,
    message: string,
    options: { field?: string; issues?: readonly LendingIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field ?? '';
    this.issues = Object.freeze([...(options.issues ?? [])]);
  }
}

/** True for any lending domain error, by code (works across module copies and after structured cloning). */
export function isLendingError(value: unknown): value is LendingError {
  const code = (value as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (LENDING_ERROR_CODES as readonly string[]).includes(code);
}
