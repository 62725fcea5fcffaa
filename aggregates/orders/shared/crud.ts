import { conflict, notFound, unknownReference, type OrdersError } from './errors.js';
import type { IdGenerator } from './ids.js';

/**
 * The create/update/delete rules every entity shares:
 * - create: each item gets the caller's id or a new one; an id that exists or repeats in the batch is a conflict;
 * - update/delete: the id must exist (a deleted entity does not);
 * - update: only fields whose value really changes travel in the event; no change, no event;
 * - replay: an update or delete of an id that is gone changes nothing, so a deleted entity never comes back.
 */

type WithId = { readonly id: string };

/**
 * Gives every draft its id (the caller's, or one from `ids`); returns ORD_ERR_CONFLICT naming `items[i].id` for
 * the first id that exists or repeats in the batch.
 */
export function assignIds<D extends { id?: string | undefined }>(
  drafts: readonly D[],
  existing: ReadonlyMap<string, unknown>,
  ids: IdGenerator,
  entity: string,
): Array<Omit<D, 'id'> & WithId> | OrdersError {
  const seen = new Set<string>();
  const assigned: Array<Omit<D, 'id'> & WithId> = [];
  for (const [index, draft] of drafts.entries()) {
    const { id: given, ...fields } = draft;
    const id = given ?? ids.newId();
    if (existing.has(id) || seen.has(id)) return conflict(entity, id, `items[${index}].id`);
    seen.add(id);
    assigned.push({ id, ...fields });
  }
  return assigned;
}

/** The entity with this id, or ORD_ERR_NOT_FOUND (field `id`) when there is none. */
export function requireExisting<E>(collection: ReadonlyMap<string, E>, id: string, entity: string): E | OrdersError {
  const found = collection.get(id);
  return found === undefined ? notFound(entity, id) : found;
}

/**
 * ORD_ERR_UNKNOWN_REFERENCE naming `items[i].<field>` for the first item whose `field` points at no entity of
 * `existing`; undefined when every item's reference exists.
 */
export function unknownItemReference<F extends string>(
  items: readonly { readonly [K in F]: string }[],
  field: F,
  existing: ReadonlyMap<string, unknown>,
  entity: string,
): OrdersError | undefined {
  for (const [index, item] of items.entries()) {
    if (!existing.has(item[field])) return unknownReference(entity, item[field], `items[${index}].${field}`);
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
  }
  return Object.is(a, b);
}

/** The subset of `changes` that differs from `current` (undefined values dropped). */
export function changedFields<C extends object>(current: object, changes: C): Partial<C> {
  const out: Partial<C> = {};
  for (const key of Object.keys(changes) as Array<keyof C>) {
    const value = changes[key];
    if (value !== undefined && !sameValue((current as Partial<C>)[key], value)) out[key] = value;
  }
  return out;
}

export function hasChanges(changes: object): boolean {
  return Object.keys(changes).length > 0;
}

/** A frozen copy, arrays inside frozen too, so nobody can edit state through a returned entity. */
export function frozenEntity<E extends object>(entity: E): E {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (value !== undefined) copy[key] = Array.isArray(value) ? Object.freeze([...(value as unknown[])]) : value;
  }
  return Object.freeze(copy) as E;
}

// ---- evolve helpers -----------------------------------------------------------------------------------------

export function putEntity<E extends WithId>(collection: Map<string, E>, entity: E): void {
  collection.set(entity.id, frozenEntity(entity));
}

/** Merges `changes` onto the entity; an id that is gone stays gone (the seed's replay resurrected it). */
export function mergeEntity<E extends WithId>(collection: Map<string, E>, id: string, changes: Partial<E>): void {
  const current = collection.get(id);
  if (current === undefined) return;
  collection.set(id, frozenEntity({ ...current, ...changedFields(current, changes), id }));
}

export function removeEntity(collection: Map<string, unknown>, id: string): void {
  collection.delete(id);
}
