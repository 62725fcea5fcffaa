import { describe, expect, it } from 'vitest';
import {
  copyCountsOf,
  lendingConfig,
  loansOf,
  outcomeOf,
  type LendingCommand,
} from '../../../../aggregates/lending/domain/index.js';
import { giveBack, lent, request, shelve, specWith } from './fixtures.js';

const spec = specWith();

describe('lending: return', () => {
  it('returns the books the user holds; the count drops by the number returned', () => {
    spec
      .given([lent('r1', 'ann', ['geb', 'dune', 'emma'])])
      .when(giveBack('r2', 'ann', 'geb', 'dune'))
      .then([
        {
          type: 'books-returned',
          data: { requestId: 'r2', user: 'ann', books: ['geb', 'dune'], ignored: [], held: 1 },
        },
        { type: 'books-stored', data: { requestId: 'r2', books: ['geb', 'dune'] } },
      ])
      .thenState((state) => expect(loansOf(state, 'ann').map((l) => l.book)).toEqual(['emma']));
  });

  it('ignores books the user does not hold (lent to someone else or never lent)', () => {
    spec
      .given([lent('r1', 'ann', ['geb']), lent('r2', 'bob', ['dune'], 1)])
      .when(giveBack('r3', 'ann', 'geb', 'dune', 'never-seen', 'geb'))
      .then([
        {
          type: 'books-returned',
          data: { requestId: 'r3', user: 'ann', books: ['geb'], ignored: ['dune', 'never-seen'], held: 0 },
        },
        { type: 'books-stored', data: { requestId: 'r3', books: ['geb'] } },
      ])
      .thenState((state) => expect(loansOf(state, 'bob').map((l) => l.book)).toEqual(['dune']));
  });

  it('a return of nothing held still gets an outcome, with nothing stored', () => {
    spec
      .given()
      .when(giveBack('r1', 'ann', 'geb'))
      .then([{ type: 'books-returned', data: { requestId: 'r1', user: 'ann', books: [], ignored: ['geb'], held: 0 } }])
      .thenState((state) => expect(outcomeOf(state, 'r1')?.type).toBe('books-returned'));
  });

  it('a returned book can be lent again, first from the automated storage', () => {
    spec
      .givenCommands([request('r1', 'ann', 'geb'), giveBack('r2', 'ann', 'geb')])
      .when(request('r3', 'bob', 'geb'))
      .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'geb', from: 'storage' }] } }])
      .thenState((state) => expect(state.storageUsed).toBe(0));
  });

  describe('automated storage (capacity) and shelving', () => {
    const small = specWith({ storageCapacity: 2 });
    const config = lendingConfig({ storageCapacity: 2 });
    const holdFour: LendingCommand[] = [request('r1', 'ann', 'a', 'b', 'c', 'd')];

    it('fills storage up to its capacity and sends the overflow to shelving', () => {
      small
        .givenCommands(holdFour)
        .when(giveBack('r2', 'ann', 'a', 'b', 'c'))
        .then([
          {
            type: 'books-returned',
            data: { requestId: 'r2', user: 'ann', books: ['a', 'b', 'c'], ignored: [], held: 1 },
          },
          { type: 'books-stored', data: { requestId: 'r2', books: ['a', 'b'] } },
          { type: 'books-sent-to-shelving', data: { requestId: 'r2', books: ['c'] } },
        ])
        .thenState((state) => {
          expect(state.storageUsed).toBe(2);
          expect(copyCountsOf(state, config, 'c')).toMatchObject({ inShelving: 1, onShelf: 0, free: 1 });
        });
    });

    it('a full storage sends every returned book to shelving', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b')])
        .when(giveBack('r3', 'ann', 'c'))
        .thenMatch([{ type: 'books-returned' }, { type: 'books-sent-to-shelving', data: { books: ['c'] } }]);
    });

    it('the default capacity is 20', () => {
      const twentyOne = Array.from({ length: 21 }, (_, i) => `b${i}`);
      const users = Array.from({ length: 5 }, (_, u) => `u${u}`);
      const lend = users.map((user, u) => request(`lend-${user}`, user, ...twentyOne.slice(u * 5, u * 5 + 5)));
      const returns = users
        .slice(0, 4)
        .map((user, u) => giveBack(`ret-${user}`, user, ...twentyOne.slice(u * 5, u * 5 + 5)));
      spec
        .givenCommands([...lend, ...returns])
        .when(giveBack('last', 'u4', 'b20'))
        .thenMatch([{ type: 'books-returned' }, { type: 'books-sent-to-shelving', data: { books: ['b20'] } }])
        .thenState((state) => expect(state.storageUsed).toBe(20));
    });

    it('lending from storage frees capacity for the next return', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b'), request('r3', 'bob', 'a')])
        .when(giveBack('r4', 'ann', 'c'))
        .thenMatch([{ type: 'books-returned' }, { type: 'books-stored', data: { books: ['c'] } }]);
    });

    it('the shelving step puts the overflow back on the shelves', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b', 'c')])
        .when(shelve('r2', 'c'))
        .then([{ type: 'books-shelved', data: { requestId: 'r2', books: ['c'] } }])
        .thenState((state) => {
          expect(copyCountsOf(state, config, 'c')).toMatchObject({ inShelving: 0, onShelf: 1, free: 1 });
          expect(state.shelving.size).toBe(0);
          expect(state.books.has('c')).toBe(false); // back to "never seen": entirely on the shelves
        });
    });

    it('a shelved book is lent again from the shelf', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b', 'c'), shelve('r2', 'c')])
        .when(request('r3', 'bob', 'c'))
        .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'c', from: 'shelf' }] } }]);
    });

    it('a copy on its way to the shelves is still free: it is lent from the shelving cart', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b', 'c')])
        .when(request('r3', 'bob', 'c'))
        .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'c', from: 'shelving' }] } }])
        .thenState((state) => expect(copyCountsOf(state, config, 'c')).toMatchObject({ lent: 1, inShelving: 0 }));
    });

    it('shelving a batch leaves out copies lent from the cart meanwhile', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b', 'c', 'd'), request('r3', 'bob', 'c')])
        .when(shelve('r2', 'c', 'd'))
        .then([{ type: 'books-shelved', data: { requestId: 'r2', books: ['d'] } }])
        .thenState((state) =>
          expect(copyCountsOf(state, config, 'c')).toMatchObject({ lent: 1, inShelving: 0, onShelf: 0 }),
        );
    });

    it('shelving is idempotent: a second report of the same batch decides nothing', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b', 'c'), shelve('r2', 'c')])
        .when(shelve('r2', 'c'))
        .thenNothing();
    });

    it('a shelving report that does not match the batch fails with LEND_ERR_SHELVING_MISMATCH', () => {
      small
        .givenCommands([...holdFour, giveBack('r2', 'ann', 'a', 'b', 'c', 'd')])
        .when(shelve('r2', 'c'))
        .thenFails({ code: 'LEND_ERR_SHELVING_MISMATCH', field: 'books' });
    });

    it('with several copies, storage and shelving track copies, not titles', () => {
      const copies = specWith({ storageCapacity: 1, copiesByBook: { geb: 3 } });
      const cfg = lendingConfig({ storageCapacity: 1, copiesByBook: { geb: 3 } });
      copies
        .givenCommands([
          request('r1', 'ann', 'geb'),
          request('r2', 'bob', 'geb'),
          request('r3', 'cat', 'geb'),
          giveBack('r4', 'ann', 'geb'),
        ])
        .when(giveBack('r5', 'bob', 'geb'))
        .thenMatch([{ type: 'books-returned' }, { type: 'books-sent-to-shelving', data: { books: ['geb'] } }])
        .thenState((state) =>
          expect(copyCountsOf(state, cfg, 'geb')).toMatchObject({
            lent: 1,
            inStorage: 1,
            inShelving: 1,
            onShelf: 0,
            free: 2,
          }),
        );
    });
  });
});
