/**
 * Seed 004's service answers (its catalog, patrons and borrowing services), computed from the library and lending
 * views. The seed returned MySQL rows as JSON arrays in its tables' column order; these functions build the same
 * rows. Pure: no I/O, inputs never changed. Only records with a `seedId` (the seed's integer row id) are seen here:
 * a seed client addresses books and patrons by that number.
 */
import type { Book, Patron } from '../../aggregates/library/contract.js';
import type { LendingEvent } from '../../aggregates/lending/contract.js';

/** `catalog` row: `[id, title, author, count, thumbnailUrl]`. */
export type CatalogRow = [number, string, string, number, string];
/** `patrons` row: `[id, firstName, lastName, patronNum, role]` (the seed's role `user` is our `patron`). */
export type PatronRow = [number, string, string, string, string];
/** `/patdb/pnum/{num}` row: the seed selects `id, firstName, lastName` only. */
export type PatronNumRow = [number, string, string];
/** `borrowed` row: `[id, bookId, patronId, dateOut, dateDue]`, dates as Flask sent MySQL DATEs (RFC 1123). */
export type BorrowRow = [number, number, number, string, string];

/** The seed's error bodies (Flask's error handlers): `{"error": "Not found"}` and the like. */
export const SEED_ERRORS = {
  400: { error: 'Bad Request' },
  404: { error: 'Not found' },
  500: { error: 'Internal Server Error' },
  503: { error: 'Service Unavailable' },
} as const;

/**
 * MySQL's default collation compares case- and accent-insensitively; `LIKE '%x%'` is then a substring test. Here
 * the text is literal (no `%` or `_` wildcards, no SQL).
 */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');
const like = (text: string, part: string) => fold(text).includes(fold(part));
const same = (a: string, b: string) => fold(a.trimEnd()) === fold(b.trimEnd());

const bySeedId = <T extends { seedId?: number | undefined }>(records: Iterable<T>) =>
  [...records].filter((r): r is T & { seedId: number } => r.seedId !== undefined).sort((a, b) => a.seedId - b.seedId);

/** The seed-numbered books, by row id. */
export function seedBooks(books: Iterable<Book>): (Book & { seedId: number })[] {
  return bySeedId(books);
}

export function catalogRow(b: Book & { seedId: number }): CatalogRow {
  return [b.seedId, b.title, b.author, b.copies, b.coverUrl];
}

/** `/catdb/author/{name}` and `/catdb/title/{text}`: rows whose field contains the text. */
export function searchCatalogRows(books: Iterable<Book>, field: 'author' | 'title', text: string): CatalogRow[] {
  return seedBooks(books)
    .filter((b) => like(b[field], text))
    .map(catalogRow);
}

export function seedPatrons(patrons: Iterable<Patron>): (Patron & { seedId: number })[] {
  return bySeedId(patrons);
}

export function patronRow(p: Patron & { seedId: number }): PatronRow {
  return [p.seedId, p.firstName, p.lastName, p.libraryId, p.role === 'patron' ? 'user' : p.role];
}

/** `/patdb/key/{name}`: patrons whose first or last name contains `name`. */
export function searchPatronRows(patrons: Iterable<Patron>, name: string): PatronRow[] {
  return seedPatrons(patrons)
    .filter((p) => like(p.firstName, name) || like(p.lastName, name))
    .map(patronRow);
}

/**
 * `/patdb/test/{first}_{last}_{num}`: `undefined` when the qualifier does not have three parts (the seed's 400);
 * else whether exactly one patron has these names (case-insensitive) and this library ID (exact, `BINARY`).
 */
export function testPatron(patrons: Iterable<Patron>, qualifier: string): boolean | undefined {
  const parts = qualifier.split('_');
  if (parts.length !== 3) return undefined;
  const [first, last, num] = parts as [string, string, string];
  const found = seedPatrons(patrons).filter(
    (p) => same(p.firstName, first) && same(p.lastName, last) && p.libraryId === num,
  );
  return found.length === 1;
}

/** A loan as the seed's `borrowed` table held it (lending user = library ID, lending book = catalog id). */
export interface SeedLoan {
  /** Transaction id: the n-th copy lent in the lending log (1-based), stable across replays. */
  readonly id: number;
  readonly user: string;
  readonly book: string;
  /** `yyyy-mm-dd` (UTC): the day of the `books-lent` event. */
  readonly out: string;
  readonly due: string;
}

/** The loans open now, per user, and the count of copies ever lent (the next transaction id - 1). */
export interface SeedLoans {
  readonly byUser: ReadonlyMap<string, readonly SeedLoan[]>;
  readonly lent: number;
}

export const emptySeedLoans: SeedLoans = { byUser: new Map(), lent: 0 };

/** Pure: folds a lending event (`books-lent`, `books-returned`; others leave the loans as they are). */
export function evolveSeedLoans(loans: SeedLoans, message: LendingEvent, occurredAt: string): SeedLoans {
  if (message.type === 'books-lent') {
    const { user, books } = message.data;
    let lent = loans.lent;
    const added = books.map((b) => ({ id: ++lent, user, book: b.book, out: occurredAt.slice(0, 10), due: b.due }));
    if (added.length === 0) return loans;
    const byUser = new Map(loans.byUser).set(user, [...(loans.byUser.get(user) ?? []), ...added]);
    return { byUser, lent };
  }
  if (message.type === 'books-returned') {
    const { user, books } = message.data;
    const held = loans.byUser.get(user);
    if (!held || books.length === 0) return loans;
    const back = new Set(books);
    const byUser = new Map(loans.byUser);
    const left = held.filter((l) => !back.has(l.book));
    if (left.length) byUser.set(user, left);
    else byUser.delete(user);
    return { ...loans, byUser };
  }
  return loans;
}

/** A `yyyy-mm-dd` date as Flask's jsonify wrote a MySQL DATE: `Fri, 29 Nov 2019 00:00:00 GMT`. */
export const httpDate = (day: string) => new Date(`${day}T00:00:00Z`).toUTCString();

/**
 * `/borrowdb/patron/{id}`: the patron's open loans as `borrowed` rows, oldest first; loans of books without a
 * `seedId` are left out (a seed client could not name them). `null` when there is none, as the seed answers.
 */
export function borrowRows(
  loans: SeedLoans,
  patron: Patron & { seedId: number },
  books: ReadonlyMap<string, Book>,
): BorrowRow[] | null {
  const rows = (loans.byUser.get(patron.libraryId) ?? []).flatMap((l): BorrowRow[] => {
    const seedId = books.get(l.book)?.seedId;
    return seedId === undefined ? [] : [[l.id, seedId, patron.seedId, httpDate(l.out), httpDate(l.due)]];
  });
  return rows.length ? rows : null;
}
