import { type Book, type BookshelfEvent } from '../../aggregates/bookshelf/contract.js';

/** Every added book, in the order it was added. Adding an id twice keeps the latest version in its first place. */
export function bookListProjection() {
  const books = new Map<string, Book>();
  return {
    apply(event: BookshelfEvent): void {
      if (event.type === 'book-added') books.set(event.data.id, event.data);
    },
    query(): Book[] {
      return [...books.values()];
    },
    get(id: string): Book | undefined {
      return books.get(id);
    },
  };
}
