import type { LendingEvent } from './events.js';
import type { PersistentMap } from './persistentMap.js';
import { EMPTY_BOOK, initialState, type BookState, type LendingState, type Loan, type UserState } from './state.js';

/**
 * Applies one event. Pure: returns a new state and never mutates `state` or `event` (untouched parts are shared).
 * Events carry every fact needed (due dates, where a copy came from), so no config is required. Unknown event
 * types leave the state as is.
 */
export function evolve(state: LendingState, event: LendingEvent): LendingState {
  switch (event.type) {
    case 'books-lent': {
      const { requestId, user } = event.data;
      const loans: Loan[] = event.data.books.map(({ book, due }) => ({ book, user, due, requestId }));
      let { books, storageUsed } = state;
      for (const [i, { book, from }] of event.data.books.entries()) {
        const loan = loans[i] as Loan;
        const current = books.get(book) ?? EMPTY_BOOK;
        const fromStorage = from === 'storage' && current.inStorage > 0 ? 1 : 0;
        const fromShelving = from === 'shelving' && current.inShelving > 0 ? 1 : 0;
        storageUsed -= fromStorage;
        books = books.set(book, {
          loans: [...current.loans, loan],
          inStorage: current.inStorage - fromStorage,
          inShelving: current.inShelving - fromShelving,
        });
      }
      const users = state.users.update(user, (current) => ({ loans: [...(current?.loans ?? []), ...loans] }));
      return { ...state, books, users, storageUsed, outcomes: state.outcomes.set(requestId, event) };
    }
    case 'lending-denied':
      return { ...state, outcomes: state.outcomes.set(event.data.requestId, event) };
    case 'books-returned': {
      const { requestId, user } = event.data;
      const returned = new Set(event.data.books);
      let books = state.books;
      for (const book of returned) {
        books = updateBook(books, book, (b) => ({ ...b, loans: b.loans.filter((loan) => loan.user !== user) }));
      }
      const users = state.users.update(user, (current) => {
        const loans = (current?.loans ?? []).filter((loan) => !returned.has(loan.book));
        return loans.length > 0 ? ({ loans } satisfies UserState) : undefined;
      });
      return { ...state, books, users, outcomes: state.outcomes.set(requestId, event) };
    }
    case 'books-stored': {
      let books = state.books;
      for (const book of event.data.books)
        books = updateBook(books, book, (b) => ({ ...b, inStorage: b.inStorage + 1 }));
      return { ...state, books, storageUsed: state.storageUsed + event.data.books.length };
    }
    case 'books-sent-to-shelving': {
      let books = state.books;
      for (const book of event.data.books) {
        books = updateBook(books, book, (b) => ({ ...b, inShelving: b.inShelving + 1 }));
      }
      return { ...state, books, shelving: state.shelving.set(event.data.requestId, [...event.data.books]) };
    }
    case 'books-shelved': {
      let books = state.books;
      for (const book of event.data.books) {
        books = updateBook(books, book, (b) => ({ ...b, inShelving: Math.max(0, b.inShelving - 1) }));
      }
      return { ...state, books, shelving: state.shelving.delete(event.data.requestId) };
    }
    default:
      return state;
  }
}

/** Applies events in order. */
export function evolveAll(state: LendingState, events: Iterable<LendingEvent>): LendingState {
  let next = state;
  for (const event of events) next = evolve(next, event);
  return next;
}

/** The state after `events`, from the initial state: what a restarted worker rebuilds. */
export function replay(events: Iterable<LendingEvent>): LendingState {
  return evolveAll(initialState, events);
}

/** Updates one book; a book with no loans and no returned copies is entirely on the shelves and is dropped. */
function updateBook(
  books: PersistentMap<BookState>,
  book: string,
  change: (current: BookState) => BookState,
): PersistentMap<BookState> {
  return books.update(book, (current) => {
    const next = change(current ?? EMPTY_BOOK);
    return next.loans.length === 0 && next.inStorage === 0 && next.inShelving === 0 ? undefined : next;
  });
}
