// restlib/errors.ts, not restlib/index.ts: the pure domain cores import this module, and must load no server code.
import { problem, type RestError } from '../restlib/errors.js';

/**
 * Domain error catalogues. A domain declares its codes once, with the HTTP status, the problem+json title and
 * whether a plain retry can succeed; it gets back an error class, a guard by code and the status per code:
 *
 *   export const ORDERS_ERRORS = defineErrorCatalogue({
 *     name: 'OrdersError',
 *     prefix: 'ORD_ERR_',
 *     codes: { ORD_ERR_NOT_FOUND: { status: 404, title: 'Not found', retriable: false } },
 *   });
 *   export const OrdersError = ORDERS_ERRORS.Error;
 *   export type OrdersError = InstanceType<typeof OrdersError>;
 *   export const isOrdersError = ORDERS_ERRORS.is;
 *
 * Recognise a domain error by its code (`is`), never by message; `instanceof` alone fails across module copies.
 * A service turns one into its problem+json answer with `domainProblem(err)`.
 */

/** What a code means outside the domain: its HTTP status, the problem+json title, and whether to retry as is. */
export interface ErrorCodeSpec {
  readonly status: number;
  readonly title: string;
  readonly retriable: boolean;
}

/** One problem with one field, e.g. `{ field: 'items[0].balance', message: 'must be >= 0' }`. */
export interface DomainIssue {
  readonly field: string;
  readonly message: string;
}

export interface DomainErrorOptions {
  /** The first field at fault (`''`, the default, when no single field is). */
  readonly field?: string;
  /** Every problem found. Default: one issue for `field` when a field is given, none otherwise. */
  readonly issues?: readonly DomainIssue[];
  readonly cause?: unknown;
}

/** An error of a domain catalogue: `code`, `field`, `issues`, and the code's `status`, `title` and `retriable`. */
export class DomainError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly field: string;
  readonly issues: readonly DomainIssue[];
  readonly retriable: boolean;
  /** The HTTP status of `code` (problem+json). */
  readonly status: number;
  /** The problem+json title of `code`. */
  readonly title: string;

  constructor(code: Code, message: string, spec: ErrorCodeSpec, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field ?? '';
    this.issues = Object.freeze([
      ...(options.issues ?? (options.field === undefined ? [] : [{ field: options.field, message }])),
    ]);
    this.retriable = spec.retriable;
    this.status = spec.status;
    this.title = spec.title;
  }
}

/** The error class a catalogue makes: `new OrdersError(code, message, { field, issues, cause })`. */
export interface DomainErrorClass<Code extends string> {
  new (code: Code, message: string, options?: DomainErrorOptions): DomainError<Code>;
}

export interface ErrorCatalogue<Code extends string> {
  /** The errors' `name`, e.g. `OrdersError`. */
  readonly name: string;
  /** What every code starts with, e.g. `ORD_ERR_`. */
  readonly prefix: string;
  readonly codes: Readonly<Record<Code, ErrorCodeSpec>>;
  /** Every code, in declaration order. */
  readonly codeList: readonly Code[];
  /** HTTP status per code. */
  readonly statuses: Readonly<Record<Code, number>>;
  readonly Error: DomainErrorClass<Code>;
  /** True for an error of this catalogue (optionally with this code), by code: works across module copies. */
  readonly is: (value: unknown, code?: Code) => value is DomainError<Code>;
  /** HTTP status of `code`. */
  readonly status: (code: Code) => number;
}

export interface ErrorCatalogueDefinition<Codes extends Record<string, ErrorCodeSpec>> {
  readonly name: string;
  readonly prefix: string;
  readonly codes: Codes;
}

/**
 * Declares a domain's error codes once. Checked here: every code starts with `prefix` and has a 4xx/5xx status;
 * a mistake is a TypeError at module load, not a wrong answer later.
 */
export function defineErrorCatalogue<const Codes extends Record<string, ErrorCodeSpec>>(
  definition: ErrorCatalogueDefinition<Codes>,
): ErrorCatalogue<Extract<keyof Codes, string>> {
  type Code = Extract<keyof Codes, string>;
  const { name, prefix } = definition;
  const codeList = Object.freeze(Object.keys(definition.codes) as Code[]);
  if (codeList.length === 0) throw new TypeError(`error catalogue ${name}: no codes`);
  const codes = {} as Record<Code, ErrorCodeSpec>;
  for (const code of codeList) {
    const { status, title, retriable } = definition.codes[code]!;
    if (!code.startsWith(prefix) || !/^[A-Z][A-Z0-9_]*$/.test(code)) {
      throw new TypeError(`error catalogue ${name}: code ${code} must be upper case and start with ${prefix}`);
    }
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`error catalogue ${name}: ${code} has status ${status}, not a 4xx or 5xx`);
    }
    codes[code] = Object.freeze({ status, title, retriable });
  }
  Object.freeze(codes);
  const statuses = Object.freeze(
    Object.fromEntries(codeList.map((code) => [code, codes[code].status])) as Record<Code, number>,
  );
  const known = new Set<string>(codeList);

  class CatalogueError extends DomainError<Code> {
    override readonly name: string = name;

    constructor(code: Code, message: string, options: DomainErrorOptions = {}) {
      const spec = known.has(code) ? codes[code] : undefined;
      if (spec === undefined) throw new TypeError(`${name}: unknown error code ${String(code)}`);
      super(code, message, spec, options);
    }
  }

  const is = (value: unknown, code?: Code): value is DomainError<Code> => {
    const found = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
    return typeof found === 'string' && known.has(found) && (code === undefined || found === code);
  };

  return Object.freeze({
    name,
    prefix,
    codes,
    codeList,
    statuses,
    Error: CatalogueError,
    is,
    status: (code: Code) => codes[code].status,
  });
}

/** True for an error of any catalogue (it has the members `domainProblem` reads). */
export function isDomainError(value: unknown): value is DomainError {
  if (typeof value !== 'object' || value === null) return false;
  const err = value as Partial<Record<keyof DomainError, unknown>>;
  return (
    typeof err.code === 'string' &&
    typeof err.message === 'string' &&
    typeof err.status === 'number' &&
    typeof err.title === 'string' &&
    typeof err.field === 'string' &&
    Array.isArray(err.issues)
  );
}

export interface DomainProblemOptions {
  /**
   * Answer with this code instead of the domain's (its title then comes from restlib's catalogue): for a domain
   * check that repeats a route's schema, so a client sees one code for both (`REST_ERR_VALIDATION`).
   */
  readonly code?: string;
  /** Where each issue's field is in the request (default: the field as is), e.g. ``(f) => `body.${f}` ``. */
  readonly path?: (field: string) => string;
}

/**
 * The problem+json answer (restlib's `problem`) of a domain error: its catalogue's status and title, its code
 * and message, and one `errors` entry per issue (none when it has no issues).
 */
export function domainProblem(err: DomainError, options: DomainProblemOptions = {}): RestError {
  const path = options.path ?? ((field: string) => field);
  const errors = err.issues.map((issue) => ({ path: path(issue.field), message: issue.message }));
  return problem(err.status, options.code ?? err.code, err.message, {
    ...(options.code === undefined ? { title: err.title } : {}),
    ...(errors.length > 0 ? { errors } : {}),
    cause: err,
  });
}
