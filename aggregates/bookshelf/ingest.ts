import type { BookRead } from './events.js';

/**
 * kcat-friendly ingest on the `bookshelf` topic (SPEC §2). A full envelope is used as is; these rules cover the
 * rest. A plain text line is a `book-read` of the book with that title (the seed's behaviour). A bare JSON object
 * is read by each view with its own default type: the last-read view takes it as a `book-read` (`{"id"}` or
 * `{"title"}`), the book-list view as a `book-added` (`{"title","author",...}`, id optional).
 */
export const textLineAsRead = (line: string): { type: 'book-read'; data: BookRead } | undefined => {
  const title = line.trim();
  return title === '' ? undefined : { type: 'book-read', data: { title } };
};

export const bareJsonAsRead = (obj: Record<string, unknown>) => ({ type: 'book-read' as const, data: obj });

export const bareJsonAsAdded = (obj: Record<string, unknown>) => ({ type: 'book-added' as const, data: obj });
