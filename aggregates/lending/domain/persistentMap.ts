/**
 * A small persistent (immutable, structurally shared) map with string keys.
 *
 * `set`/`delete` return a new map and leave the receiver untouched. Entries live in a two-level, 32-way trie of
 * buckets chosen by a string hash, so an update copies two 32-slot arrays and one bucket (about size/1024 entries)
 * instead of the whole map. That keeps `evolve` pure without making a replay of N events cost O(N²).
 * Iteration order is by hash (deterministic, not insertion order); sort when order matters.
 */
const WIDTH = 32;
const MASK = WIDTH - 1;

type Bucket<V> = ReadonlyMap<string, V>;
type Branch<V> = readonly (Bucket<V> | undefined)[];
type Root<V> = readonly (Branch<V> | undefined)[];

function hashOf(key: string): number {
  // FNV-1a, 32 bit.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function slotsOf(key: string): [number, number] {
  const hash = hashOf(key);
  return [hash & MASK, (hash >>> 5) & MASK];
}

export class PersistentMap<V> implements Iterable<[string, V]> {
  static readonly #EMPTY = new PersistentMap<never>(new Array<undefined>(WIDTH).fill(undefined), 0);

  readonly #root: Root<V>;
  readonly #size: number;

  private constructor(root: Root<V>, size: number) {
    this.#root = root;
    this.#size = size;
  }

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.#EMPTY;
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [key, value] of entries) map = map.set(key, value);
    return map;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const [top, low] = slotsOf(key);
    return this.#root[top]?.[low]?.get(key);
  }

  has(key: string): boolean {
    const [top, low] = slotsOf(key);
    return this.#root[top]?.[low]?.has(key) ?? false;
  }

  set(key: string, value: V): PersistentMap<V> {
    const [top, low] = slotsOf(key);
    const branch = this.#root[top];
    const bucket = branch?.[low];
    if (bucket?.has(key) && Object.is(bucket.get(key), value)) return this;
    const nextBucket = new Map(bucket);
    nextBucket.set(key, value);
    const grown = bucket?.has(key) ? 0 : 1;
    return new PersistentMap(this.#withBucket(top, low, nextBucket), this.#size + grown);
  }

  delete(key: string): PersistentMap<V> {
    const [top, low] = slotsOf(key);
    const bucket = this.#root[top]?.[low];
    if (!bucket?.has(key)) return this;
    const nextBucket = new Map(bucket);
    nextBucket.delete(key);
    return new PersistentMap(this.#withBucket(top, low, nextBucket.size > 0 ? nextBucket : undefined), this.#size - 1);
  }

  /** Sets `key` to `change(current)`, or deletes it when `change` returns undefined. */
  update(key: string, change: (current: V | undefined) => V | undefined): PersistentMap<V> {
    const next = change(this.get(key));
    return next === undefined ? this.delete(key) : this.set(key, next);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const branch of this.#root) {
      if (!branch) continue;
      for (const bucket of branch) {
        if (bucket) yield* bucket.entries();
      }
    }
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  #withBucket(top: number, low: number, bucket: Bucket<V> | undefined): Root<V> {
    const root = [...this.#root];
    const oldBranch = root[top];
    const branch = oldBranch ? [...oldBranch] : new Array<Bucket<V> | undefined>(WIDTH).fill(undefined);
    branch[low] = bucket;
    root[top] = branch;
    return root;
  }
}
