import { copiesOf, type LendingConfig } from './config.js';
import type { LendingOutcome } from './events.js';
import type { BookState, LendingState, UserState } from './state.js';

export interface LendingSnapshot {
  readonly books: Readonly<Record<string, BookState>>;
  readonly users: Readonly<Record<string, UserState>>;
  readonly outcomes: Readonly<Record<string, LendingOutcome>>;
  readonly shelving: Readonly<Record<string, readonly string[]>>;
  readonly storageUsed: number;
}

/**
 * Checks the invariants of SPEC §6 on a state and returns what is violated (empty when all hold): no copy lent
 * twice (loans <= copies, one copy per user and book), never more than the limit per user, books and users agree,
 * storage within capacity and consistent. For tests of the service under concurrency and crashes.
 */
export function invariantViolations(state: LendingState, config: LendingConfig): string[] {
  const problems: string[] = [];
  let storage = 0;
  for (const [book, { loans, inStorage, inShelving }] of state.books) {
    const copies = copiesOf(config, book);
    if (loans.length + inStorage + inShelving > copies) {
      problems.push(
        `book ${book}: ${loans.length} lent + ${inStorage} stored + ${inShelving} shelving > ${copies} copies`,
      );
    }
    const holders = new Set(loans.map((loan) => loan.user));
    if (holders.size !== loans.length) problems.push(`book ${book}: a user holds more than one copy`);
    for (const loan of loans) {
      if (!state.users.get(loan.user)?.loans.some((l) => l.book === book)) {
        problems.push(`book ${book}: lent to ${loan.user}, who does not hold it`);
      }
    }
    if (inStorage < 0 || inShelving < 0) problems.push(`book ${book}: negative location count`);
    storage += inStorage;
  }
  for (const [user, { loans }] of state.users) {
    if (loans.length > config.limit) problems.push(`user ${user}: holds ${loans.length} books > limit ${config.limit}`);
    for (const loan of loans) {
      if (!state.books.get(loan.book)?.loans.some((l) => l.user === user)) {
        problems.push(`user ${user}: holds ${loan.book}, which is not lent to them`);
      }
    }
  }
  if (storage !== state.storageUsed) problems.push(`storage: counter ${state.storageUsed} != ${storage} stored copies`);
  if (state.storageUsed > config.storageCapacity) {
    problems.push(`storage: ${state.storageUsed} copies > capacity ${config.storageCapacity}`);
  }
  return problems;
}

/** A plain, key-sorted copy of the state: compare two states with `toEqual` (e.g. live vs clean replay). */
export function toSnapshot(state: LendingState): LendingSnapshot {
  const sorted = <V>(entries: Iterable<[string, V]>): Record<string, V> =>
    Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    books: sorted(state.books),
    users: sorted(state.users),
    outcomes: sorted(state.outcomes),
    shelving: sorted(state.shelving),
    storageUsed: state.storageUsed,
  };
}
