import { conflict, notFound } from './errors.js';
import type { IdGenerator } from './ids.js';

/**
 * The create/update/delete rules every entity shares:
 * - create: each item gets the caller's id or a new one; an id that exists or repeats in the batch is a conflict;
 * - update/delete: the id must exist (a deleted entity does not);
 * - update: only fields whose value really changes travel in the event; no change, no event;
 * - replay: an update or delete of an id that is gone changes nothing, so a deleted entity never comes back.
 */

type WithId = { readonly id: string };

/** Gives every draft its id (the caller's, or one from `ids`); throws ORD_ERR_CONFLICT naming `items[i].id`. */
export function assignIds<D extends { id?: string | undefined }>(
  drafts: readonly D[],
  existing: ReadonlyMap<string, unknown>,
  ids: IdGenerator,
  entity: string,
): Array<Omit<D, 'id'> & WithId> {
  const seen = new Set<string>();
  return drafts.map((draft, index) => {
    const { id: given, ...fields } = draft;
    const id = given ?? ids.newId();
    if (existing.has(id) || seen.has(id)) throw conflict(entity, id, `items[${index}].id`);
    seen.add(id);
    return { id, ...fields };
  });
}

/** The entity with this id; throws ORD_ERR_NOT_FOUND (field `id`) when there is none. */
export function requireExisting<E>(collection: ReadonlyMap<string, E>, id: string, entity: string): E {
  const found = collection.get(id);
  if (found === undefined) throw notFound(entity, id);
  return found;
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
