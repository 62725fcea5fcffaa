/**
 * A small persistent (immutable, structurally shared) map with string keys.
 *
 * `set`/`delete` return a new map and leave the receiver untouched. Entries live in a three-level, 32-way trie of
 * buckets chosen by a string hash, so an update copies three 32-slot arrays and one bucket (about size/32768
 * entries) instead of the whole map. That keeps `evolve` pure without making a replay of N events cost O(N²); with
 * two levels the buckets of a busy worker's maps (100,000 request outcomes) held about 100 entries, and copying them
 * was most of a decision's time (bench section 7).
 * Iteration order is by hash (deterministic, not insertion order); sort when order matters.
 */
const WIDTH = 32;
const MASK = WIDTH - 1;
const LEVELS = 3;

type Bucket<V> = ReadonlyMap<string, V>;
/** A node of the trie: LEVELS - 1 levels of 32-slot arrays, then buckets. */
type Node<V> = readonly (Node<V> | Bucket<V> | undefined)[];

function hashOf(key: string): number {
  // FNV-1a, 32 bit.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const slot = (hash: number, level: number) => (hash >>> (5 * level)) & MASK;

function bucketOf<V>(root: Node<V>, hash: number): Bucket<V> | undefined {
  let node: Node<V> | undefined = root;
  for (let level = 0; level < LEVELS - 1 && node; level++) node = node[slot(hash, level)] as Node<V> | undefined;
  return node?.[slot(hash, LEVELS - 1)] as Bucket<V> | undefined;
}

/** A copy of the path from `node` to the bucket of `hash`, with that bucket replaced. */
function withBucket<V>(node: Node<V> | undefined, hash: number, level: number, bucket: Bucket<V> | undefined): Node<V> {
  const copy: (Node<V> | Bucket<V> | undefined)[] = node ? [...node] : new Array<undefined>(WIDTH).fill(undefined);
  const i = slot(hash, level);
  copy[i] = level === LEVELS - 1 ? bucket : withBucket(node?.[i] as Node<V> | undefined, hash, level + 1, bucket);
  return copy;
}

function* bucketsOf<V>(node: Node<V>, level: number): IterableIterator<Bucket<V>> {
  for (const child of node) {
    if (!child) continue;
    if (level === LEVELS - 1) yield child as Bucket<V>;
    else yield* bucketsOf(child as Node<V>, level + 1);
  }
}

export class PersistentMap<V> implements Iterable<[string, V]> {
  static readonly #EMPTY = new PersistentMap<never>(new Array<undefined>(WIDTH).fill(undefined), 0);

  readonly #root: Node<V>;
  readonly #size: number;

  private constructor(root: Node<V>, size: number) {
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
    return bucketOf(this.#root, hashOf(key))?.get(key);
  }

  has(key: string): boolean {
    return bucketOf(this.#root, hashOf(key))?.has(key) ?? false;
  }

  set(key: string, value: V): PersistentMap<V> {
    const hash = hashOf(key);
    const bucket = bucketOf(this.#root, hash);
    if (bucket?.has(key) && Object.is(bucket.get(key), value)) return this;
    const nextBucket = new Map(bucket);
    nextBucket.set(key, value);
    const grown = bucket?.has(key) ? 0 : 1;
    return new PersistentMap(withBucket(this.#root, hash, 0, nextBucket), this.#size + grown);
  }

  delete(key: string): PersistentMap<V> {
    const hash = hashOf(key);
    const bucket = bucketOf(this.#root, hash);
    if (!bucket?.has(key)) return this;
    const nextBucket = new Map(bucket);
    nextBucket.delete(key);
    return new PersistentMap(
      withBucket(this.#root, hash, 0, nextBucket.size > 0 ? nextBucket : undefined),
      this.#size - 1,
    );
  }

  /** Sets `key` to `change(current)`, or deletes it when `change` returns undefined. */
  update(key: string, change: (current: V | undefined) => V | undefined): PersistentMap<V> {
    const next = change(this.get(key));
    return next === undefined ? this.delete(key) : this.set(key, next);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const bucket of bucketsOf(this.#root, 0)) yield* bucket.entries();
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
}
