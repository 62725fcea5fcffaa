import { z } from 'zod';
import { text } from '../../../restlib/text.js';

/** A create command takes one object or an array of at most this many. */
export const MAX_ITEMS_PER_CREATE = 1000;

export const nameSchema = text(200, { what: 'name' });

/**
 * `items` of a create command: one object or an array of 1..MAX_ITEMS_PER_CREATE objects, always an array after
 * parsing. The length is checked before the items, so an oversized array costs nothing to reject.
 */
export function itemsOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (value !== undefined && value !== null && !Array.isArray(value) ? [value] : value),
    z
      .array(z.unknown())
      .min(1, 'must hold at least one item')
      .max(MAX_ITEMS_PER_CREATE, `must hold at most ${MAX_ITEMS_PER_CREATE} items`)
      .pipe(z.array(item)),
  );
}

/** `changes` of an update command: any subset of the entity's fields, but at least one of them. */
export function changesOf<S extends z.ZodRawShape>(fields: S) {
  const names = Object.keys(fields).join(', ');
  return z
    .object(fields)
    .partial()
    .refine((changes) => Object.values(changes).some((v) => v !== undefined), {
      message: `nothing to change: give at least one of ${names}`,
    });
}
