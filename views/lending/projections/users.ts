import { PersistentMap } from '../../../aggregates/lending/contract.js';
import type { LendingViewMessage } from './messages.js';

export interface HeldBook {
  readonly book: string;
  /** ISO date `yyyy-mm-dd`. */
  readonly due: string;
}

/** `GET /lending/users/{user}`: books held with due dates, and how many. */
export interface UserView {
  readonly user: string;
  readonly books: readonly HeldBook[];
  readonly count: number;
}

/** user -> books held, oldest loan first. */
export type UsersView = PersistentMap<readonly HeldBook[]>;

export const initialUsersView: UsersView = PersistentMap.empty();

/** Pure: returns a new view, never changes `view`. */
export function projectUsers(view: UsersView, message: LendingViewMessage): UsersView {
  switch (message.type) {
    case 'books-lent': {
      const lent = message.data.books.map(({ book, due }) => ({ book, due }));
      return view.update(message.data.user, (held = []) => [...held, ...lent]);
    }
    case 'books-returned': {
      if (message.data.books.length === 0) return view;
      const returned = new Set(message.data.books);
      return view.update(message.data.user, (held = []) => {
        const kept = held.filter(({ book }) => !returned.has(book));
        return kept.length > 0 ? kept : undefined;
      });
    }
    default:
      return view;
  }
}

/** A user never seen holds nothing. */
export function userView(view: UsersView, user: string): UserView {
  const books = view.get(user) ?? [];
  return { user, books, count: books.length };
}
