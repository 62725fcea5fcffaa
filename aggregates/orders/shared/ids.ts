import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Where new entity ids come from. Tests inject a counter; services use `randomIds`. */
export interface IdGenerator {
  newId(): string;
}

export const randomIds: IdGenerator = Object.freeze({ newId: () => randomUUID() });

/** Ids the caller may give: `'101'`, `101`, a uuid. Numbers become strings, so `101` and `'101'` are one id. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

// The pattern is checked on the string as sent (so the OpenAPI document states it); any such number matches it.
export const idSchema = z
  .union([
    z.string().regex(ID_PATTERN, 'must be 1-64 letters, digits or . _ : - (starting with a letter or digit)'),
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  ])
  .transform(String);
