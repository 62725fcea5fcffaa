import type { z } from 'zod';
import { ORDERS_ERROR_CODES, OrdersError, type FieldIssue } from './errors.js';

/** `['items', 0, 'balance']` -> `items[0].balance`; the empty path (the whole input) -> `''`. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Parses `input` with `schema`; returns ORD_ERR_VALIDATION naming the first field at fault (never throws). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> | OrdersError {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    field: fieldName(issue.path),
    message: issue.message,
  }));
  const first = issues[0] ?? { field: '', message: 'invalid input' };
  const where = first.field === '' ? '' : ` at ${first.field}`;
  return new OrdersError(ORDERS_ERROR_CODES.validation, `invalid ${what}${where}: ${first.message}`, {
    field: first.field,
    issues,
    cause: result.error,
  });
}
