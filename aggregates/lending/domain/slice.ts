import { parseLendingCommand, type LendingCommand } from './commands.js';
import { isLendingError } from './errors.js';
import type { LendingOutcome } from './events.js';
import { PersistentMap } from './persistentMap.js';
import { initialState, type BookState, type LendingState, type UserState } from './state.js';

/**
 * The part of the state one command reads and its events write. A store that keeps the state as separate keys
 * (Redis) loads exactly these, runs `decide` on `stateFromSlice`, and writes `sliceOf(next, readSet)` back under an
 * optimistic lock on the same keys. Computed from the validated command (trimmed ids); empty for invalid commands.
 */
export interface LendingReadSet {
  readonly books: readonly string[];
  readonly users: readonly string[];
  /** Keys of `outcomes` (the idempotency records). */
  readonly requestIds: readonly string[];
  /** Keys of open shelving batches. */
  readonly shelvingBatches: readonly string[];
  /**
   * Whether `decide` reads the storage counter (returns do: room left decides stored vs shelving). Any command's
   * events may change the counter, so write it back as a delta (`INCRBY next - before`), never as an absolute.
   */
  readonly readsStorage: boolean;
}

/** Entries of a read set; `undefined` means "no entry" (delete the key when writing back). */
export interface LendingSlice {
  readonly books: ReadonlyMap<string, BookState | undefined>;
  readonly users: ReadonlyMap<string, UserState | undefined>;
  readonly outcomes: ReadonlyMap<string, LendingOutcome | undefined>;
  readonly shelving: ReadonlyMap<string, readonly string[] | undefined>;
  readonly storageUsed: number;
}

const EMPTY_READ_SET: LendingReadSet = Object.freeze({
  books: [],
  users: [],
  requestIds: [],
  shelvingBatches: [],
  readsStorage: false,
});

export function readSetOf(command: LendingCommand): LendingReadSet {
  const checked = parseLendingCommand(command);
  if (isLendingError(checked)) return EMPTY_READ_SET;
  const books = [...new Set(checked.data.books)];
  const { requestId } = checked.data;
  switch (checked.type) {
    case 'request':
      return { books, users: [checked.data.user], requestIds: [requestId], shelvingBatches: [], readsStorage: false };
    case 'return':
      return {
        books,
        users: [checked.data.user],
        requestIds: [requestId],
        shelvingBatches: [requestId],
        readsStorage: true,
      };
    case 'shelve':
      return { books, users: [], requestIds: [], shelvingBatches: [requestId], readsStorage: false };
  }
}

/**
 * One read set covering all of `sets` (ids de-duplicated, in first-seen order): a store deciding several commands in
 * one optimistic transaction loads and watches it, and decides them in order on the one state.
 */
export function unionReadSet(sets: readonly LendingReadSet[]): LendingReadSet {
  const ids = (pick: (set: LendingReadSet) => readonly string[]) => [...new Set(sets.flatMap(pick))];
  return {
    books: ids((r) => r.books),
    users: ids((r) => r.users),
    requestIds: ids((r) => r.requestIds),
    shelvingBatches: ids((r) => r.shelvingBatches),
    readsStorage: sets.some((r) => r.readsStorage),
  };
}

/** The entries of `readSet` in `state`. */
export function sliceOf(state: LendingState, readSet: LendingReadSet): LendingSlice {
  const pick = <V>(map: PersistentMap<V>, keys: readonly string[]) =>
    new Map<string, V | undefined>(keys.map((key) => [key, map.get(key)]));
  return {
    books: pick(state.books, readSet.books),
    users: pick(state.users, readSet.users),
    outcomes: pick(state.outcomes, readSet.requestIds),
    shelving: pick(state.shelving, readSet.shelvingBatches),
    storageUsed: state.storageUsed,
  };
}

/**
 * A state holding only the slice's entries: enough for `decide` on a command whose read set it covers. Load
 * `storageUsed` when `readsStorage`; otherwise 0 is fine (only the delta of `evolve` is written back).
 */
export function stateFromSlice(slice: LendingSlice): LendingState {
  const load = <V>(entries: ReadonlyMap<string, V | undefined>) =>
    PersistentMap.from([...entries].filter((entry): entry is [string, V] => entry[1] !== undefined));
  return {
    ...initialState,
    books: load(slice.books),
    users: load(slice.users),
    outcomes: load(slice.outcomes),
    shelving: load(slice.shelving),
    storageUsed: slice.storageUsed,
  };
}
