import { describe, expect, it } from 'vitest';
import { loansOf, outcomeOf, type LendingEvent } from '../../../../aggregates/lending/domain/index.js';
import { contextWith, DUE, giveBack, lent, request, specWith } from './fixtures.js';

const spec = specWith();

describe('lending: request', () => {
  it('accepts a request for books never seen before (every id names an available copy)', () => {
    spec
      .given()
      .when(request('r1', 'ann', 'geb', 'dune'))
      .then([
        {
          type: 'books-lent',
          data: {
            requestId: 'r1',
            user: 'ann',
            books: [
              { book: 'geb', due: DUE, from: 'shelf' },
              { book: 'dune', due: DUE, from: 'shelf' },
            ],
            skipped: [],
            held: 2,
          },
        },
      ])
      .thenState((state) =>
        expect(loansOf(state, 'ann').map((l) => [l.book, l.due])).toEqual([
          ['geb', DUE],
          ['dune', DUE],
        ]),
      );
  });

  it('grants a partial request: books lent to someone else are skipped, the rest is lent', () => {
    spec
      .given([lent('r1', 'bob', ['geb'])])
      .when(request('r2', 'ann', 'geb', 'dune'))
      .thenMatch([
        {
          type: 'books-lent',
          data: {
            books: [{ book: 'dune', due: DUE, from: 'shelf' }],
            skipped: [{ book: 'geb', reason: 'unavailable' }],
            held: 1,
          },
        },
      ]);
  });

  it('denies with "none of the requested books is available" when every book is lent', () => {
    spec
      .given([lent('r1', 'bob', ['geb', 'dune'])])
      .when(request('r2', 'ann', 'geb', 'dune'))
      .then([
        {
          type: 'lending-denied',
          data: {
            requestId: 'r2',
            user: 'ann',
            cause: 'none of the requested books is available',
            requested: ['geb', 'dune'],
            found: [],
            skipped: [
              { book: 'geb', reason: 'unavailable' },
              { book: 'dune', reason: 'unavailable' },
            ],
            held: 0,
            limit: 5,
          },
        },
      ])
      .thenState((state) => expect(loansOf(state, 'ann')).toEqual([]));
  });

  it('skips a book the requester already holds', () => {
    spec
      .given([lent('r1', 'ann', ['geb'])])
      .when(request('r2', 'ann', 'geb', 'dune'))
      .thenMatch([
        {
          type: 'books-lent',
          data: { books: [{ book: 'dune' }], skipped: [{ book: 'geb', reason: 'already-held' }], held: 2 },
        },
      ]);
  });

  it('denies as none available when the requester already holds every requested book', () => {
    spec
      .given([lent('r1', 'ann', ['geb'])])
      .when(request('r2', 'ann', 'geb'))
      .thenMatch([
        {
          type: 'lending-denied',
          data: {
            cause: 'none of the requested books is available',
            skipped: [{ book: 'geb', reason: 'already-held' }],
          },
        },
      ]);
  });

  it('denies the whole request with "too many books" when held + found > limit, and reserves nothing', () => {
    const given: LendingEvent[] = [lent('r1', 'ann', ['a', 'b', 'c', 'd'])];
    const denied = spec
      .given(given)
      .when(request('r2', 'ann', 'e', 'f'))
      .then([
        {
          type: 'lending-denied',
          data: {
            requestId: 'r2',
            user: 'ann',
            cause: 'too many books',
            requested: ['e', 'f'],
            found: ['e', 'f'],
            skipped: [],
            held: 4,
            limit: 5,
          },
        },
      ])
      .thenState((state) => expect(loansOf(state, 'ann')).toHaveLength(4));
    // The copies found for the denied request are free: another user gets both.
    specWith()
      .given([...given, ...(denied.events ?? [])])
      .when(request('r3', 'bob', 'e', 'f'))
      .thenMatch([{ type: 'books-lent', data: { user: 'bob', books: [{ book: 'e' }, { book: 'f' }] } }]);
  });

  it('accepts up to exactly the limit', () => {
    spec
      .given([lent('r1', 'ann', ['a', 'b', 'c', 'd'])])
      .when(request('r2', 'ann', 'e'))
      .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'e' }], held: 5 } }]);
  });

  it('counts only the books found against the limit (skipped ones do not count)', () => {
    spec
      .given([lent('r1', 'ann', ['a', 'b', 'c', 'd']), lent('r2', 'bob', ['x'])])
      .when(request('r3', 'ann', 'x', 'e'))
      .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'e' }], skipped: [{ book: 'x' }], held: 5 } }]);
  });

  it('honours a configured limit', () => {
    specWith({ limit: 1 })
      .given()
      .when(request('r1', 'ann', 'a', 'b'))
      .thenMatch([{ type: 'lending-denied', data: { cause: 'too many books', limit: 1, found: ['a', 'b'] } }]);
  });

  it('collapses duplicate book ids in a request', () => {
    spec
      .given()
      .when(request('r1', 'ann', 'geb', 'geb', 'dune', 'geb'))
      .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'geb' }, { book: 'dune' }], held: 2 } }]);
  });

  it('duplicates do not count twice against the limit', () => {
    spec
      .given([lent('r1', 'ann', ['a', 'b', 'c', 'd'])])
      .when(request('r2', 'ann', 'e', 'e', 'e'))
      .thenMatch([{ type: 'books-lent', data: { books: [{ book: 'e' }], held: 5 } }]);
  });

  describe('copies per book', () => {
    const twoCopies = specWith({ copiesByBook: { geb: 2 } });

    it('lends a second copy to a second user, not a third', () => {
      const state = twoCopies.givenCommands([request('r1', 'ann', 'geb'), request('r2', 'bob', 'geb')]).state;
      expect(outcomeOf(state, 'r2')).toMatchObject({ type: 'books-lent', data: { books: [{ book: 'geb' }] } });
      twoCopies
        .givenCommands([request('r1', 'ann', 'geb'), request('r2', 'bob', 'geb')])
        .when(request('r3', 'cat', 'geb'))
        .thenMatch([{ type: 'lending-denied', data: { cause: 'none of the requested books is available' } }]);
    });

    it('still lends one user only one copy of a book', () => {
      twoCopies
        .givenCommands([request('r1', 'ann', 'geb')])
        .when(request('r2', 'ann', 'geb'))
        .thenMatch([{ type: 'lending-denied', data: { skipped: [{ book: 'geb', reason: 'already-held' }] } }]);
    });

    it('uses copiesPerBook for books without an override', () => {
      specWith({ copiesPerBook: 3 })
        .givenCommands([request('r1', 'ann', 'x'), request('r2', 'bob', 'x')])
        .when(request('r3', 'cat', 'x'))
        .thenMatch([{ type: 'books-lent' }]);
    });

    it('a book configured with 0 copies is never available', () => {
      specWith({ copiesByBook: { ghost: 0 } })
        .given()
        .when(request('r1', 'ann', 'ghost'))
        .thenMatch([{ type: 'lending-denied', data: { skipped: [{ book: 'ghost', reason: 'unavailable' }] } }]);
    });
  });

  describe('due dates come from the injected clock', () => {
    it('due = UTC date of now + 14 days, date only', () => {
      specWith({}, new Date('2024-03-10T23:30:00Z'))
        .given()
        .when(request('r1', 'ann', 'geb'))
        .thenMatch([{ type: 'books-lent', data: { books: [{ due: '2024-03-24' }] } }]);
    });

    it('crosses months and leap days', () => {
      specWith({}, new Date('2024-02-20T00:00:00Z'))
        .given()
        .when(request('r1', 'ann', 'geb'))
        .thenMatch([{ type: 'books-lent', data: { books: [{ due: '2024-03-05' }] } }]);
    });

    it('honours a configured loan period', () => {
      specWith({ loanDays: 1 }, new Date('2023-12-31T12:00:00Z'))
        .given()
        .when(request('r1', 'ann', 'geb'))
        .thenMatch([{ type: 'books-lent', data: { books: [{ due: '2024-01-01' }] } }]);
    });

    it('a context given to one decision overrides the default clock', () => {
      spec
        .given()
        .when(request('r1', 'ann', 'geb'), contextWith({}, new Date('2025-01-01T10:00:00Z')))
        .thenMatch([{ type: 'books-lent', data: { books: [{ due: '2025-01-15' }] } }]);
    });
  });

  describe('idempotency by requestId', () => {
    it('a replayed request decides nothing and its first outcome stays readable', () => {
      spec
        .givenCommands([request('r1', 'ann', 'geb')])
        .when(request('r1', 'ann', 'geb'))
        .thenNothing()
        .thenState((state) => {
          expect(outcomeOf(state, 'r1')).toMatchObject({ type: 'books-lent', data: { requestId: 'r1', user: 'ann' } });
          expect(loansOf(state, 'ann')).toHaveLength(1);
        });
    });

    it('a replayed denied request stays denied even when the books became free', () => {
      spec
        .givenCommands([request('r1', 'bob', 'geb'), request('r2', 'ann', 'geb'), giveBack('r3', 'bob', 'geb')])
        .when(request('r2', 'ann', 'geb'))
        .thenNothing()
        .thenState((state) => expect(outcomeOf(state, 'r2')).toMatchObject({ type: 'lending-denied' }));
    });

    it('a replayed return decides nothing', () => {
      spec
        .givenCommands([request('r1', 'ann', 'geb'), giveBack('r2', 'ann', 'geb')])
        .when(giveBack('r2', 'ann', 'geb'))
        .thenNothing()
        .thenState((state) => expect(outcomeOf(state, 'r2')).toMatchObject({ type: 'books-returned' }));
    });

    it('an unknown requestId has no outcome', () => {
      expect(outcomeOf(spec.given().state, 'nope')).toBeUndefined();
    });
  });

  describe('invalid commands', () => {
    it('fails with LEND_ERR_VALIDATION naming the field', () => {
      spec
        .given()
        .when(request('r1', '', 'geb'))
        .thenFails({ code: 'LEND_ERR_VALIDATION', field: 'user', retriable: false });
      spec.given().when(request('r1', 'ann')).thenFails({ code: 'LEND_ERR_VALIDATION', field: 'books' });
      spec
        .given()
        .when(request('', 'ann', 'geb'))
        .thenFails({ code: 'LEND_ERR_VALIDATION', field: 'requestId' });
      spec
        .given()
        .when({ type: 'request', data: { requestId: 'r1', user: 'ann', books: ['ok', 42] } } as never)
        .thenFails({ code: 'LEND_ERR_VALIDATION', field: 'books[1]' });
      spec
        .given()
        .when({ type: 'borrow', data: {} } as never)
        .thenFails({ code: 'LEND_ERR_VALIDATION', field: 'type' });
    });

    it('decides on trimmed ids, like the validated input the gateway queues', () => {
      spec
        .given()
        .when(request(' r1 ', ' ann ', ' geb '))
        .thenMatch([{ type: 'books-lent', data: { requestId: 'r1', user: 'ann', books: [{ book: 'geb' }] } }]);
    });
  });
});
