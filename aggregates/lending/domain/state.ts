import { copiesOf, type LendingConfig } from './config.js';
import type { CopySource, LendingOutcome } from './events.js';
import { PersistentMap } from './persistentMap.js';

/** One lent copy. A user holds at most one copy of a given book. */
export interface Loan {
  readonly book: string;
  readonly user: string;
  /** ISO date `yyyy-mm-dd` (UTC). */
  readonly due: string;
  readonly requestId: string;
}

/**
 * What the aggregate knows about one book. A book without an entry is entirely on the shelves (the SPEC's "an id
 * never seen before is available"). Copies on the shelves = copies - loans - inStorage - inShelving.
 */
export interface BookState {
  readonly loans: readonly Loan[];
  /** Returned copies sitting in the automated storage. */
  readonly inStorage: number;
  /** Returned copies sent to shelving and not yet back on the shelves. */
  readonly inShelving: number;
}

export interface UserState {
  readonly loans: readonly Loan[];
}

/** The lending aggregate. Never mutated: `evolve` returns a new state sharing untouched parts. */
export interface LendingState {
  readonly books: PersistentMap<BookState>;
  readonly users: PersistentMap<UserState>;
  /** Outcome event of every decided request and return, by requestId: the idempotency record. */
  readonly outcomes: PersistentMap<LendingOutcome>;
  /** Open shelving batches (return requestId -> books sent to shelving). */
  readonly shelving: PersistentMap<readonly string[]>;
  /** Copies in the automated storage, all books together (bounded by `storageCapacity`). */
  readonly storageUsed: number;
}

export const EMPTY_BOOK: BookState = Object.freeze({ loans: Object.freeze([]), inStorage: 0, inShelving: 0 });
const NO_LOANS: readonly Loan[] = Object.freeze([]);

export const initialState: LendingState = Object.freeze({
  books: PersistentMap.empty<BookState>(),
  users: PersistentMap.empty<UserState>(),
  outcomes: PersistentMap.empty<LendingOutcome>(),
  shelving: PersistentMap.empty<readonly string[]>(),
  storageUsed: 0,
});

/** The earlier outcome of a request or return, if it was decided: how a replayed requestId is answered. */
export function outcomeOf(state: LendingState, requestId: string): LendingOutcome | undefined {
  return state.outcomes.get(requestId);
}

export function bookStateOf(state: LendingState, book: string): BookState {
  return state.books.get(book) ?? EMPTY_BOOK;
}

/** The books `user` holds, oldest loan first. */
export function loansOf(state: LendingState, user: string): readonly Loan[] {
  return state.users.get(user)?.loans ?? NO_LOANS;
}

export interface CopyCounts {
  readonly copies: number;
  readonly lent: number;
  readonly inStorage: number;
  readonly inShelving: number;
  readonly onShelf: number;
  /** Copies that may be lent: every copy not lent, wherever it sits (storage, shelf or shelving cart). */
  readonly free: number;
}

export function copyCountsOf(state: LendingState, config: LendingConfig, book: string): CopyCounts {
  const { loans, inStorage, inShelving } = bookStateOf(state, book);
  const copies = copiesOf(config, book);
  const lent = loans.length;
  return {
    copies,
    lent,
    inStorage,
    inShelving,
    onShelf: Math.max(0, copies - lent - inStorage - inShelving),
    free: Math.max(0, copies - lent),
  };
}

/** Where the next lent copy of `book` comes from, or undefined when no copy is free. */
export function sourceOfFreeCopy(state: LendingState, config: LendingConfig, book: string): CopySource | undefined {
  const counts = copyCountsOf(state, config, book);
  if (counts.free === 0) return undefined;
  if (counts.inStorage > 0) return 'storage';
  if (counts.onShelf > 0) return 'shelf';
  return counts.inShelving > 0 ? 'shelving' : undefined;
}
