import { type Book, type LibraryEvent, type Patron } from '../../aggregates/library/contract.js';

/** The catalog and the patrons, by id (insertion order kept for stable listings). */
export interface LibraryModel {
  readonly books: ReadonlyMap<string, Book>;
  readonly patrons: ReadonlyMap<string, Patron>;
}

export const emptyLibrary: LibraryModel = { books: new Map(), patrons: new Map() };

/** Pure: returns a new model with the record upserted; `model` is never changed. */
export function evolveLibrary(model: LibraryModel, event: LibraryEvent): LibraryModel {
  switch (event.type) {
    case 'book-cataloged':
      return { ...model, books: new Map(model.books).set(event.data.id, event.data) };
    case 'patron-registered':
      return { ...model, patrons: new Map(model.patrons).set(event.data.libraryId, event.data) };
  }
}

export interface CatalogQuery {
  /** Case-insensitive substring of the title or the author. */
  q?: string | undefined;
  title?: string | undefined;
  author?: string | undefined;
}

const contains = (text: string, part: string | undefined) =>
  !part?.trim() || text.toLocaleLowerCase('en').includes(part.trim().toLocaleLowerCase('en'));

/** Books matching every given criterion (case-insensitive substrings), sorted by title. */
export function searchCatalog(books: Iterable<Book>, query: CatalogQuery): Book[] {
  return [...books]
    .filter(
      (b) =>
        contains(b.title, query.title) &&
        contains(b.author, query.author) &&
        (contains(b.title, query.q) || contains(b.author, query.q)),
    )
    .sort((a, b) => a.title.localeCompare(b.title, 'en'));
}
