import { describe, expect, it } from 'vitest';
import { SEED_BOOKS, SEED_PATRONS, type Book } from '../../../aggregates/library/contract.js';
import {
  borrowRows,
  emptySeedLoans,
  evolveSeedLoans,
  httpDate,
  searchCatalogRows,
  testPatron,
  type SeedLoans,
} from '../../../views/library/seedApi.js';
import type { LendingEvent } from '../../../aggregates/lending/contract.js';

const lent = (requestId: string, user: string, books: string[], due = '2026-03-15'): LendingEvent => ({
  type: 'books-lent',
  data: {
    requestId,
    user,
    books: books.map((book) => ({ book, due, from: 'shelf' })),
    skipped: [],
    held: books.length,
  },
});
const returned = (requestId: string, user: string, books: string[]): LendingEvent => ({
  type: 'books-returned',
  data: { requestId, user, books, ignored: [], held: 0 },
});
const given = (...messages: LendingEvent[]): SeedLoans =>
  messages.reduce((loans, m) => evolveSeedLoans(loans, m, '2026-03-01T12:00:00.000Z'), emptySeedLoans);
const pete = SEED_PATRONS[0]! as (typeof SEED_PATRONS)[number] & { seedId: number };
const books = new Map<string, Book>(SEED_BOOKS.map((b) => [b.id, b]));
const [b1, b2] = [SEED_BOOKS[0]!.id, SEED_BOOKS[1]!.id];

describe('seed 004 loans (the borrowed table, from lending events)', () => {
  it('given books lent, then rows [id, bookId, patronId, dateOut, dateDue] with increasing transaction ids', () => {
    const loans = given(
      lent('r1', 'BUFFALOBILL1', [b1]),
      lent('r2', 'DEADBEEF2222', [b1]),
      lent('r3', 'BUFFALOBILL1', [b2]),
    );
    expect(borrowRows(loans, pete, books)).toEqual([
      [1, 1, 1, httpDate('2026-03-01'), httpDate('2026-03-15')],
      [3, 2, 1, httpDate('2026-03-01'), httpDate('2026-03-15')],
    ]);
  });
  it('given a return, then only the returned book leaves; none left is null; the input is never changed', () => {
    const before = given(lent('r1', 'BUFFALOBILL1', [b1, b2]));
    const after = evolveSeedLoans(before, returned('t1', 'BUFFALOBILL1', [b1]), '2026-03-02T00:00:00Z');
    expect(borrowRows(after, pete, books)).toEqual([[2, 2, 1, httpDate('2026-03-01'), httpDate('2026-03-15')]]);
    expect(borrowRows(before, pete, books)).toHaveLength(2);
    expect(
      borrowRows(given(lent('r1', 'BUFFALOBILL1', [b1]), returned('t1', 'BUFFALOBILL1', [b1])), pete, books),
    ).toBeNull();
  });
  it('a loan of a book without a seed id is left out (a seed client could not name it)', () => {
    expect(borrowRows(given(lent('r1', 'BUFFALOBILL1', ['dune'])), pete, books)).toBeNull();
  });
  it('dates as Flask wrote MySQL DATEs', () => {
    expect(httpDate('2019-11-29')).toBe('Fri, 29 Nov 2019 00:00:00 GMT');
  });
});

describe('seed 004 patrons and catalog queries', () => {
  it('/patdb/test: names case-insensitive, library ID exact, three parts', () => {
    expect(testPatron(SEED_PATRONS, 'Pete_Dymond_BUFFALOBILL1')).toBe(true);
    expect(testPatron(SEED_PATRONS, 'PETE_dymond_BUFFALOBILL1')).toBe(true);
    expect(testPatron(SEED_PATRONS, 'Pete_Dymond_buffalobill1')).toBe(false);
    expect(testPatron(SEED_PATRONS, 'Pete_Dymond')).toBeUndefined();
    expect(testPatron(SEED_PATRONS, 'Pete_Dymond_BUFFALOBILL1_x')).toBeUndefined();
  });
  it('catalog searches are literal substrings (no LIKE wildcards)', () => {
    expect(searchCatalogRows(SEED_BOOKS, 'title', '%')).toEqual([]);
    expect(searchCatalogRows(SEED_BOOKS, 'title', 'KING').map((r) => r[0])).toEqual([6, 17]);
  });
});
