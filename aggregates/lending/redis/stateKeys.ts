import type { BookState, LendingOutcome, LendingReadSet, LendingSlice, UserState } from '../domain/index.js';

/**
 * The aggregate state as Redis keys, all under one hash tag (one slot on a cluster, so MULTI may span them):
 * `<tag>:book:<id>`, `<tag>:user:<id>`, `<tag>:outcome:<requestId>`, `<tag>:shelving:<requestId>` (JSON) and
 * `<tag>:storage` (integer).
 */
export class LendingKeys {
  readonly #tag: string;
  constructor(tag: string) {
    this.#tag = tag;
  }
  book = (id: string) => `${this.#tag}:book:${id}`;
  user = (id: string) => `${this.#tag}:user:${id}`;
  outcome = (requestId: string) => `${this.#tag}:outcome:${requestId}`;
  shelving = (requestId: string) => `${this.#tag}:shelving:${requestId}`;
  get storage(): string {
    return `${this.#tag}:storage`;
  }
  /** The worker instance lock of `name`. */
  lock = (name: string) => `${this.#tag}:worker-lock:${name}`;

  /** Every key a decision on `readSet` reads, in the order `parseSlice` expects (storage last). */
  keysOf(readSet: LendingReadSet): string[] {
    return [
      ...readSet.books.map(this.book),
      ...readSet.users.map(this.user),
      ...readSet.requestIds.map(this.outcome),
      ...readSet.shelvingBatches.map(this.shelving),
      this.storage,
    ];
  }

  /** The keys to WATCH: those the rules depend on (the storage counter only when the decision reads it). */
  watchedKeysOf(readSet: LendingReadSet): string[] {
    const keys = this.keysOf(readSet);
    return readSet.readsStorage ? keys : keys.slice(0, -1);
  }
}

/** Values read with MGET for `keys.keysOf(readSet)` -> the slice `stateFromSlice` takes. */
export function parseSlice(readSet: LendingReadSet, values: readonly (string | null)[]): LendingSlice {
  let i = 0;
  const take = <V>(ids: readonly string[]) =>
    new Map<string, V | undefined>(
      ids.map((id) => {
        const raw = values[i++];
        return [id, raw == null ? undefined : (JSON.parse(raw) as V)];
      }),
    );
  const books = take<BookState>(readSet.books);
  const users = take<UserState>(readSet.users);
  const outcomes = take<LendingOutcome>(readSet.requestIds);
  const shelving = take<readonly string[]>(readSet.shelvingBatches);
  const storageUsed = Number(values[i] ?? 0);
  return { books, users, outcomes, shelving, storageUsed };
}

/** The writes that turn `before` into `after` (same read set): SET changed entries, DEL removed ones. */
export function sliceWrites(
  keys: LendingKeys,
  before: LendingSlice,
  after: LendingSlice,
): { set: [string, string][]; del: string[]; storageDelta: number } {
  const set: [string, string][] = [];
  const del: string[] = [];
  const diff = <V>(
    a: ReadonlyMap<string, V | undefined>,
    b: ReadonlyMap<string, V | undefined>,
    key: (id: string) => string,
  ) => {
    for (const [id, value] of b) {
      if (value === a.get(id)) continue;
      if (value === undefined) del.push(key(id));
      else set.push([key(id), JSON.stringify(value)]);
    }
  };
  diff(before.books, after.books, keys.book);
  diff(before.users, after.users, keys.user);
  diff(before.outcomes, after.outcomes, keys.outcome);
  diff(before.shelving, after.shelving, keys.shelving);
  return { set, del, storageDelta: after.storageUsed - before.storageUsed };
}
