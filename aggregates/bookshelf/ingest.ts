import type { BookRead } from './events.js';

/**
 * kcat-friendly ingest on the `bookshelf` topic (SPEC §2). A full envelope is used as is; these rules cover the
 * rest. A plain text line (or a JSON string) is a `book-read` of the book with that title (the seed's behaviour);
 * a line with control characters (other than tab) is not a title but binary or garbled input, so it is rejected
 * (poison, dead-lettered). Bytes that are not UTF-8, and JSON values that are not objects (null, numbers,
 * booleans, arrays), are poison before these rules (eventlib's decodeMessage). A bare JSON object is read by each
 * view with its own default type: the last-read view takes it as a `book-read` (`{"id"}` or `{"title"}`), the
 * book-list view as a `book-added` (`{"title","author",...}`, id optional).
 */
export const textLineAsRead = (line: string): { type: 'book-read'; data: BookRead } | undefined => {
  const title = line.trim();
  return title === '' || hasControlCharacter(title) ? undefined : { type: 'book-read', data: { title } };
};

/** C0 controls but tab, DEL and C1 controls (Unicode category Cc without U+0009). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

export const bareJsonAsRead = (obj: Record<string, unknown>) => ({ type: 'book-read' as const, data: obj });

export const bareJsonAsAdded = (obj: Record<string, unknown>) => ({ type: 'book-added' as const, data: obj });
