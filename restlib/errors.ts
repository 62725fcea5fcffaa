/**
 * The restlib error catalogue. Each code has one HTTP status; services throw `problem(...)` (or a RestError)
 * and the server answers `application/problem+json` with that code. Recognise errors by `code`.
 */
export const REST_ERROR_CODES = {
  /** A body, path parameter or query string failed its zod schema; `errors` names each field. */
  REST_ERR_VALIDATION: { status: 400, title: 'Invalid request', retriable: false },
  /** The body is not valid JSON (or is empty while declared JSON). */
  REST_ERR_BAD_JSON: { status: 400, title: 'Malformed JSON body', retriable: false },
  /** Any other request the server cannot make sense of. */
  REST_ERR_BAD_REQUEST: { status: 400, title: 'Bad request', retriable: false },
  /** No credential, or one that is not valid (an unknown API key, a JWT that is expired or for someone else). */
  REST_ERR_UNAUTHENTICATED: { status: 401, title: 'Unauthenticated', retriable: false },
  /** The credential is valid but may not do this (a JWT without the admin scope on an admin route, a cross-site form). */
  REST_ERR_FORBIDDEN: { status: 403, title: 'Forbidden', retriable: false },
  REST_ERR_NOT_FOUND: { status: 404, title: 'Not found', retriable: false },
  REST_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', retriable: false },
  REST_ERR_CONFLICT: { status: 409, title: 'Conflict', retriable: false },
  REST_ERR_BODY_TOO_LARGE: { status: 413, title: 'Body too large', retriable: false },
  /** A path segment is longer than the router takes (`maxParamLength`). */
  REST_ERR_URI_TOO_LONG: { status: 414, title: 'URI too long', retriable: false },
  REST_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', retriable: false },
  REST_ERR_UNPROCESSABLE: { status: 422, title: 'Unprocessable request', retriable: false },
  /** Too many attempts (e.g. failed logins with one library card); `Retry-After` says when to try again. */
  REST_ERR_TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests', retriable: true },
  REST_ERR_INTERNAL: { status: 500, title: 'Internal error', retriable: false },
  /** A dependency is missing or the service is not ready / shutting down. */
  REST_ERR_UNAVAILABLE: { status: 503, title: 'Service unavailable', retriable: true },
  /** HTTP client: no passing instance of the target service. */
  REST_ERR_NO_INSTANCE: { status: 503, title: 'No instance available', retriable: true },
  /** HTTP client: every instance tried failed to connect or broke the connection. */
  REST_ERR_UPSTREAM_UNAVAILABLE: { status: 502, title: 'Upstream unavailable', retriable: true },
  /** HTTP client: the instance did not answer in time. */
  REST_ERR_UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream timed out', retriable: true },
} as const satisfies Record<string, { status: number; title: string; retriable: boolean }>;

export type RestErrorCode = keyof typeof REST_ERROR_CODES;

export interface FieldError {
  /** Where the problem is: `body.title`, `params.id`, `querystring.limit`. */
  path: string;
  message: string;
}

/** An error that becomes an `application/problem+json` answer. */
export class RestError extends Error {
  override readonly name = 'RestError';
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly retriable: boolean;
  readonly errors: FieldError[] | undefined;
  /** Extra members added to the problem document (e.g. `checks`). */
  readonly extensions: Record<string, unknown> | undefined;

  constructor(
    code: string,
    detail: string,
    options: {
      status?: number;
      title?: string;
      retriable?: boolean;
      errors?: FieldError[];
      extensions?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    const known = (REST_ERROR_CODES as Record<string, { status: number; title: string; retriable: boolean }>)[code];
    this.code = code;
    this.status = options.status ?? known?.status ?? 500;
    this.title = options.title ?? known?.title ?? defaultTitle(this.status);
    this.retriable = options.retriable ?? known?.retriable ?? this.status >= 500;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

/**
 * The helper services throw: `throw problem(404, 'ORDER_ERR_NOT_FOUND', 'no order 42')`. The status is kept
 * as given; the code should come from a catalogue (`REST_ERR_*` or the service's own).
 */
export function problem(
  status: number,
  code: string,
  detail: string,
  extras: { title?: string; errors?: FieldError[]; extensions?: Record<string, unknown>; cause?: unknown } = {},
): RestError {
  return new RestError(code, detail, { ...extras, status });
}

/** True when `err` is a RestError (optionally with the given code); works across module copies. */
export function isRestError(err: unknown, code?: string): err is RestError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'RestError' &&
    typeof (err as { code?: unknown }).code === 'string' &&
    (code === undefined || (err as { code: string }).code === code)
  );
}

function defaultTitle(status: number): string {
  return status >= 500 ? 'Server error' : 'Request error';
}
