import { z } from 'zod';
import { text } from '../../../restlib/text.js';
import { LendingError, type LendingIssue } from './errors.js';

/** Upper bounds on caller input: anything longer is rejected before it is queued. */
export const LENDING_INPUT_LIMITS = Object.freeze({
  maxBooks: 100,
  maxUserLength: 200,
  maxBookIdLength: 200,
  maxRequestIdLength: 200,
});

function name(what: string, max: number) {
  return text(max, {
    what,
    noControls: true,
    base: z.string({
      error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`),
    }),
  });
}

/**
 * The body of `POST /lending/requests` and `POST /lending/returns`, and the CLI's `<user> <book> [book ...]`.
 * Strings are trimmed; duplicates are kept (the domain collapses them). Reuse it for fastify routes and OpenAPI.
 */
export const LendingInputSchema = z.object({
  user: name('user', LENDING_INPUT_LIMITS.maxUserLength),
  books: z
    .array(name('book id', LENDING_INPUT_LIMITS.maxBookIdLength), {
      error: (issue) => (issue.input === undefined ? 'books is required' : 'books must be an array of book ids'),
    })
    .min(1, 'books must name at least one book')
    .max(LENDING_INPUT_LIMITS.maxBooks, `books must name at most ${LENDING_INPUT_LIMITS.maxBooks} books`),
});
export type LendingInput = z.output<typeof LendingInputSchema>;

export const RequestIdSchema = name('requestId', LENDING_INPUT_LIMITS.maxRequestIdLength);

export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LendingError };

/** Validates caller input (HTTP body, CLI arguments) without side effects. Error code: `LEND_ERR_VALIDATION`. */
export function validateLendingInput(input: unknown): Validated<LendingInput> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return invalid([{ field: 'input', message: 'input must be an object with user and books' }]);
  }
  return fromZod(LendingInputSchema.safeParse(input));
}

/** Same as `validateLendingInput` for one request id. */
export function validateRequestId(requestId: unknown): Validated<string> {
  const parsed = RequestIdSchema.safeParse(requestId);
  return parsed.success ? { ok: true, value: parsed.data } : invalid(issuesOf(parsed.error, 'requestId'));
}

export function validationError(issues: readonly LendingIssue[]): LendingError {
  const first = issues[0] ?? { field: 'input', message: 'invalid input' };
  return new LendingError('LEND_ERR_VALIDATION', `invalid lending input: ${first.message}`, {
    field: first.field,
    issues,
  });
}

function invalid(issues: readonly LendingIssue[]): { ok: false; error: LendingError } {
  return { ok: false, error: validationError(issues) };
}

function fromZod<T>(parsed: z.ZodSafeParseResult<T>): Validated<T> {
  return parsed.success ? { ok: true, value: parsed.data } : invalid(issuesOf(parsed.error));
}

/** zod issues as `{ field, message }`; `whole` names the value itself when the issue has no path. */
export function issuesOf(error: z.ZodError, prefix = '', whole = 'input'): LendingIssue[] {
  return error.issues.map((issue) => ({ field: fieldOf([prefix, ...issue.path]) || whole, message: issue.message }));
}

function fieldOf(path: readonly unknown[]): string {
  return path
    .filter((part) => part !== '')
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
    .join('');
}
