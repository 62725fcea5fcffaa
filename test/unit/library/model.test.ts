import { describe, expect, it } from 'vitest';
import { DEMO_BOOKS, DEMO_COPIES, DEMO_PATRONS } from '../../../aggregates/library/demo.js';
import { BookSchema, PatronSchema } from '../../../aggregates/library/catalog.js';
import { findPatron } from '../../../aggregates/library/contract.js';
import { emptyLibrary, evolveLibrary, searchCatalog } from '../../../views/library/model.js';
import { safeNext } from '../../../gateway/library/session.js';

const ids = (books: readonly { id: string }[]) => books.map((b) => b.id);
const patrons = new Map(DEMO_PATRONS.map((p) => [p.libraryId, p]));

describe('library catalog: search', () => {
  it('the demo catalog holds about 20 valid books with 2 copies each and valid patrons', () => {
    expect(DEMO_BOOKS.length).toBeGreaterThanOrEqual(20);
    for (const b of DEMO_BOOKS) expect(BookSchema.parse(b).copies).toBe(DEMO_COPIES);
    expect(DEMO_COPIES).toBe(2);
    for (const p of DEMO_PATRONS) PatronSchema.parse(p);
    expect(new Set(ids(DEMO_BOOKS)).size).toBe(DEMO_BOOKS.length);
  });

  it('by author: case-insensitive substring, sorted by title', () => {
    expect(ids(searchCatalog(DEMO_BOOKS, { author: 'AUSTEN' }))).toEqual([
      'emma',
      'pride-and-prejudice',
      'sense-and-sensibility',
    ]);
    expect(ids(searchCatalog(DEMO_BOOKS, { author: 'brontË' }))).toEqual(['jane-eyre', 'wuthering-heights']);
  });

  it('by title: case-insensitive substring; both criteria must match; q matches title or author', () => {
    expect(ids(searchCatalog(DEMO_BOOKS, { title: 'looking-GLASS' }))).toEqual(['through-the-looking-glass']);
    expect(ids(searchCatalog(DEMO_BOOKS, { title: 'HOUND', author: 'doyle' }))).toEqual(['hound-of-the-baskervilles']);
    expect(searchCatalog(DEMO_BOOKS, { title: 'hound', author: 'austen' })).toEqual([]);
    expect(ids(searchCatalog(DEMO_BOOKS, { q: 'carroll' }))).toHaveLength(2);
    expect(searchCatalog(DEMO_BOOKS, { title: 'no such book' })).toEqual([]);
    expect(searchCatalog(DEMO_BOOKS, { title: '  ' })).toHaveLength(DEMO_BOOKS.length);
  });

  it('records are upserts by id and never change the previous model', () => {
    const one = evolveLibrary(emptyLibrary, { type: 'book-cataloged', data: DEMO_BOOKS[0]! });
    const two = evolveLibrary(one, { type: 'book-cataloged', data: { ...DEMO_BOOKS[0]!, copies: 5 } });
    expect(one.books.get(DEMO_BOOKS[0]!.id)?.copies).toBe(2);
    expect(two.books.size).toBe(1);
    expect(two.books.get(DEMO_BOOKS[0]!.id)?.copies).toBe(5);
    expect(emptyLibrary.books.size).toBe(0);
  });
});

describe('library patrons: login match', () => {
  it('names are compared case-insensitively (trimmed), the library ID exactly', () => {
    expect(findPatron(patrons, { firstName: ' ada ', lastName: 'LOVELACE', libraryId: 'L-1001' })?.libraryId).toBe(
      'L-1001',
    );
    expect(findPatron(patrons, { firstName: 'Ada', lastName: 'Lovelace', libraryId: 'l-1001' })).toBeUndefined();
    expect(findPatron(patrons, { firstName: 'Ada', lastName: 'Lovelace', libraryId: 'L-1002' })).toBeUndefined();
    expect(findPatron(patrons, { firstName: 'Ad', lastName: 'Lovelace', libraryId: 'L-1001' })).toBeUndefined();
  });

  it('login sends back only to a page under /library/ (no open redirect)', () => {
    expect(safeNext('/library/catalog?author=austen')).toBe('/library/catalog?author=austen');
    for (const bad of ['https://evil.example/', '//evil.example/library/', '/library//evil', '/docs', 42, undefined]) {
      expect(safeNext(bad)).toBe('/library/catalog');
    }
  });
});
