import { PersistentMap } from '../../../aggregates/lending/contract.js';
import type { LendingViewMessage } from './messages.js';

export interface BookHolder {
  readonly user: string;
  /** ISO date `yyyy-mm-dd`. */
  readonly due: string;
}

interface BookEntry {
  readonly holders: readonly BookHolder[];
  readonly inStorage: number;
  readonly inShelving: number;
}

/** `GET /lending/books/{book}`: who holds its copies, and where the others are. */
export interface BookView {
  readonly book: string;
  readonly copies: number;
  readonly holders: readonly BookHolder[];
  /** Copies not lent, by place: automated storage, on the way to the shelves, on the shelves. */
  readonly where: { readonly storage: number; readonly shelving: number; readonly shelf: number };
  /** Copies that can be lent now (every copy not lent, wherever it is). */
  readonly available: number;
  /** `lent` when no copy is free, else where a copy would be taken from (storage, shelf, shelving). */
  readonly status: 'lent' | 'storage' | 'shelf' | 'shelving';
}

/** book -> holders and returned copies; books absent are entirely on the shelves. */
export type BooksView = PersistentMap<BookEntry>;

export const initialBooksView: BooksView = PersistentMap.empty();

const ON_SHELF: BookEntry = { holders: [], inStorage: 0, inShelving: 0 };

/** Pure: returns a new view, never changes `view`. Mirrors the aggregate's bookkeeping of copies. */
export function projectBooks(view: BooksView, message: LendingViewMessage): BooksView {
  switch (message.type) {
    case 'books-lent': {
      const { user } = message.data;
      let next = view;
      for (const { book, due, from } of message.data.books) {
        next = change(next, book, (entry) => ({
          holders: [...entry.holders, { user, due }],
          inStorage: entry.inStorage - (from === 'storage' && entry.inStorage > 0 ? 1 : 0),
          inShelving: entry.inShelving - (from === 'shelving' && entry.inShelving > 0 ? 1 : 0),
        }));
      }
      return next;
    }
    case 'books-returned': {
      const { user } = message.data;
      let next = view;
      for (const book of message.data.books) {
        next = change(next, book, (entry) => ({ ...entry, holders: entry.holders.filter((h) => h.user !== user) }));
      }
      return next;
    }
    case 'books-stored':
      return message.data.books.reduce(
        (next, book) => change(next, book, (entry) => ({ ...entry, inStorage: entry.inStorage + 1 })),
        view,
      );
    case 'books-sent-to-shelving':
      return message.data.books.reduce(
        (next, book) => change(next, book, (entry) => ({ ...entry, inShelving: entry.inShelving + 1 })),
        view,
      );
    case 'books-shelved':
      return message.data.books.reduce(
        (next, book) => change(next, book, (entry) => ({ ...entry, inShelving: Math.max(0, entry.inShelving - 1) })),
        view,
      );
    default:
      return view;
  }
}

/** `copies` comes from the lending config (`copiesOf(config, book)`); 1 by default as in SPEC §6. */
export function bookView(view: BooksView, book: string, copies = 1): BookView {
  const { holders, inStorage, inShelving } = view.get(book) ?? ON_SHELF;
  const shelf = Math.max(0, copies - holders.length - inStorage - inShelving);
  const available = Math.max(0, copies - holders.length);
  const status =
    available === 0 ? 'lent' : inStorage > 0 ? 'storage' : shelf > 0 ? 'shelf' : inShelving > 0 ? 'shelving' : 'lent';
  return { book, copies, holders, where: { storage: inStorage, shelving: inShelving, shelf }, available, status };
}

function change(view: BooksView, book: string, update: (entry: BookEntry) => BookEntry): BooksView {
  return view.update(book, (entry) => {
    const next = update(entry ?? ON_SHELF);
    return next.holders.length === 0 && next.inStorage === 0 && next.inShelving === 0 ? undefined : next;
  });
}
