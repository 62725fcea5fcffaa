import { describe, expect, it } from 'vitest';
import { BookInputSchema } from '../../../../aggregates/bookshelf/events.js';
import { BookshelfDomainError, decide, knownBooks } from '../../../../aggregates/bookshelf/decide.js';

const given = (...added: string[]) => {
  const state = knownBooks();
  for (const id of added) state.apply({ type: 'book-added', data: { id, title: `t-${id}`, author: 'a' } });
  return state;
};

describe('bookshelf aggregate', () => {
  it('given nothing, when a book is added, then book-added carries the book and its new id', () => {
    const events = decide(
      { kind: 'add-book', book: { title: 'Dune', author: 'Herbert', year: 1965 }, newId: 'b1' },
      given(),
    );
    expect(events).toEqual([{ type: 'book-added', data: { id: 'b1', title: 'Dune', author: 'Herbert', year: 1965 } }]);
  });

  it('given an added book, when it is finished, then book-read names it', () => {
    expect(decide({ kind: 'finish-book', id: 'b1' }, given('b1'))).toEqual([{ type: 'book-read', data: { id: 'b1' } }]);
  });

  it('given no such book, when it is finished, then it is refused with BOOK_ERR_NOT_FOUND and nothing is emitted', () => {
    const result = decide({ kind: 'finish-book', id: 'nope' }, given('b1'));
    expect(result).toBeInstanceOf(BookshelfDomainError);
    expect((result as BookshelfDomainError).code).toBe('BOOK_ERR_NOT_FOUND');
  });

  it('the known-books state counts each id once', () => {
    const s = given('a', 'b', 'a');
    expect(s.size).toBe(2);
    expect(s.has('a') && s.has('b') && !s.has('c')).toBe(true);
  });
});

describe('book input', () => {
  it('accepts title, author and extra scalar fields', () => {
    expect(BookInputSchema.parse({ title: ' Emma ', author: 'Austen', isbn: '123' })).toEqual({
      title: 'Emma',
      author: 'Austen',
      isbn: '123',
    });
  });

  it.each([
    [{ author: 'x' }, 'title'],
    [{ title: '', author: 'x' }, 'title'],
    [{ title: 'x' }, 'author'],
    [{ title: 'x', author: 5 }, 'author'],
    [{ title: 'x', author: 'y', id: 'mine' }, 'id'],
    [{ title: 'x', author: 'y', nested: { a: 1 } }, 'nested'],
  ])('refuses %j, naming %s', (input, field) => {
    const r = BookInputSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('refuses a book with too many fields', () => {
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]));
    expect(BookInputSchema.safeParse({ title: 'x', author: 'y', ...big }).success).toBe(false);
  });
});
