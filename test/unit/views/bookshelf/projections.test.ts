import { describe, expect, it } from 'vitest';
import type { BookshelfEvent } from '../../../../aggregates/bookshelf/events.js';
import { lastReadProjection } from '../../../../views/bookshelf/lastRead.js';
import { bookListProjection } from '../../../../views/bookshelf/bookList.js';

const added = (id: string, title = `title ${id}`): BookshelfEvent => ({
  type: 'book-added',
  data: { id, title, author: 'a' },
});
const readId = (id: string): BookshelfEvent => ({ type: 'book-read', data: { id } });
const readTitle = (title: string): BookshelfEvent => ({ type: 'book-read', data: { title } });

describe('last-read view', () => {
  it('shows the last five reads, oldest first, as book objects when the book is known', () => {
    const v = lastReadProjection();
    for (const id of ['1', '2', '3', '4', '5', '6', '7']) v.apply(added(id));
    for (const id of ['1', '2', '3', '4', '5', '6', '7']) v.apply(readId(id));
    expect(v.query().map((b) => ('id' in b ? b.id : null))).toEqual(['3', '4', '5', '6', '7']);
    expect(v.query()[0]).toEqual({ id: '3', title: 'title 3', author: 'a' });
  });

  it('lists plain-text reads by title, and resolves a title to its book when one was added', () => {
    const v = lastReadProjection();
    v.apply(readTitle('Unknown Book'));
    v.apply(added('9', 'Known Book'));
    v.apply(readTitle('Known Book'));
    expect(v.query()).toEqual([{ title: 'Unknown Book' }, { id: '9', title: 'Known Book', author: 'a' }]);
  });

  it('resolves a read of an id added later, and keeps an unknown id as { id }', () => {
    const v = lastReadProjection();
    v.apply(readId('x'));
    v.apply(readId('y'));
    v.apply(added('y'));
    expect(v.query()).toEqual([{ id: 'x' }, { id: 'y', title: 'title y', author: 'a' }]);
  });

  it('honours a configured size and stays bounded over many reads', () => {
    const v = lastReadProjection(3);
    for (let i = 0; i < 10_000; i++) v.apply(readTitle(`b${i}`));
    expect(v.query()).toEqual([{ title: 'b9997' }, { title: 'b9998' }, { title: 'b9999' }]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => lastReadProjection(0)).toThrow(RangeError);
  });
});

describe('book-list view', () => {
  it('lists every added book in order, ignoring reads, with the latest version of a re-added id', () => {
    const v = bookListProjection();
    v.apply(added('1'));
    v.apply(readId('1'));
    v.apply(added('2'));
    v.apply(added('1', 'renamed'));
    expect(v.query().map((b) => [b.id, b.title])).toEqual([
      ['1', 'renamed'],
      ['2', 'title 2'],
    ]);
    expect(v.get('2')?.title).toBe('title 2');
  });
});
