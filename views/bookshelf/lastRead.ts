import { type Book, type BookshelfEvent } from '../../aggregates/bookshelf/contract.js';

/** An item of the last-read list: the whole book when it is known, else what the read event named. */
export type LastReadItem = Book | { id: string } | { title: string };

/**
 * The last N read books, oldest first. Books added later still resolve: items are looked up when queried.
 * Reading the same book twice lists it twice (it was read twice), as in the seed.
 */
export function lastReadProjection(limit = 5) {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`last-read size must be a positive integer, got ${limit}`);
  const books = new Map<string, Book>();
  const byTitle = new Map<string, Book>();
  const reads: ({ id: string } | { title: string })[] = [];
  return {
    apply(event: BookshelfEvent): void {
      if (event.type === 'book-added') {
        books.set(event.data.id, event.data);
        byTitle.set(event.data.title, event.data);
        return;
      }
      const d = event.data;
      reads.push(d.id !== undefined ? { id: d.id } : { title: d.title! });
      // Keep a little slack so we splice rarely; only the last `limit` are ever shown.
      if (reads.length > limit * 2) reads.splice(0, reads.length - limit);
    },
    query(): LastReadItem[] {
      return reads.slice(-limit).map((r) => ('id' in r ? (books.get(r.id) ?? r) : (byTitle.get(r.title) ?? r)));
    },
  };
}
