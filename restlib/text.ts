import { z } from 'zod';

// Pure (zod only): the domain cores import this file directly, like errors.ts (see .dependency-cruiser.cjs).

/** What `String.prototype.trim` removes (ECMAScript WhiteSpace and LineTerminator), as a character class body. */
const JS_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const NOT_BLANK = new RegExp(`[^${JS_SPACE}]`);
// eslint-disable-next-line no-control-regex
const NO_CONTROLS = /^[^\u0000-\u001f\u007f]*$/;

/** The length JSON Schema's `maxLength` means (Unicode code points), not UTF-16 units as `String.length`. */
export function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export interface TextOptions {
  /** Names the field in messages: `title must not be empty`. */
  what?: string;
  /** Refuse C0 control characters and DEL (ids, user names); default false. */
  noControls?: boolean;
  /** The string schema to start from (its own type error messages); default `z.string()`. */
  base?: z.ZodString;
}

/**
 * A required text field, trimmed. The rules are checked on what was sent, the way the OpenAPI document states them
 * (`maxLength` in code points, a `pattern` asking for one non-space character), so a client that follows the
 * document is never refused and one that breaks it always is: counting after trimming let 600 characters with
 * spaces around through a `maxLength: 500`, and `String.length` refused 300 emoji under a `maxLength: 500`.
 */
export function text(max: number, options: TextOptions = {}) {
  const what = options.what ?? 'the text';
  let schema = (options.base ?? z.string()).regex(NOT_BLANK, `${what} must not be empty`);
  if (options.noControls) schema = schema.regex(NO_CONTROLS, `${what} must not contain control characters`);
  return schema
    .refine((value) => codePoints(value) <= max, `${what} must be at most ${max} characters`)
    .meta({ maxLength: max })
    .transform((value) => value.trim());
}
