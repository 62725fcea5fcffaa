import { defineErrorCatalogue } from '../../platform/errors.js';
import type { Book, BookInput, BookshelfEvent } from './events.js';

/**
 * What the command side needs to know: which book ids exist. The service keeps it as a set fed by the
 * `book-added` events of the topic (`knownBooks` below), so rebuilding a million books stays linear.
 */
export interface ShelfState {
  has(id: string): boolean;
}

export type ShelfCommand = { kind: 'add-book'; book: BookInput; newId: string } | { kind: 'finish-book'; id: string };

/** The bookshelf domain's error catalogue. `decide` returns these errors, it never throws them. */
export const BOOKSHELF_ERRORS = defineErrorCatalogue({
  name: 'BookshelfDomainError',
  prefix: 'BOOK_ERR_',
  codes: {
    /** `finish-book` of an id no `book-added` has named. */
    BOOK_ERR_NOT_FOUND: { status: 404, title: 'Book not found', retriable: false },
  },
});
export const BookshelfDomainError = BOOKSHELF_ERRORS.Error;
export type BookshelfDomainError = InstanceType<typeof BookshelfDomainError>;
export const isBookshelfDomainError = BOOKSHELF_ERRORS.is;

/**
 * Adding a book always succeeds (its input was validated at the edge) and gives it the new id.
 * Finishing a book needs a book that was added: an unknown id is refused (404 over HTTP) rather than recorded,
 * so a typo never shows up in the last-read list. Plain text lines pushed with kcat bypass this aggregate: they
 * are `book-read` events by title, as in the seed.
 */
export function decide(command: ShelfCommand, state: ShelfState): BookshelfEvent[] | BookshelfDomainError {
  switch (command.kind) {
    case 'add-book': {
      const book: Book = { ...command.book, id: command.newId };
      return [{ type: 'book-added', data: book }];
    }
    case 'finish-book':
      if (!state.has(command.id)) {
        return new BookshelfDomainError('BOOK_ERR_NOT_FOUND', `no book with id "${command.id}"`);
      }
      return [{ type: 'book-read', data: { id: command.id } }];
  }
}

/** The command side's state: ids of added books, grown by each `book-added` event. */
export function knownBooks(): ShelfState & { apply(event: BookshelfEvent): void; readonly size: number } {
  const ids = new Set<string>();
  return {
    has: (id) => ids.has(id),
    apply(event) {
      if (event.type === 'book-added') ids.add(event.data.id);
    },
    get size() {
      return ids.size;
    },
  };
}
