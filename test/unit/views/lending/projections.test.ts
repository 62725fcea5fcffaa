import { describe, expect, it } from 'vitest';
import {
  copiesOf,
  copyCountsOf,
  decide,
  evolveAll,
  initialState,
  isLendingError,
  lendingConfig,
  loansOf,
  type LendingCommand,
  type LendingConfigInput,
  type LendingEvent,
  type LendingState,
} from '../../../../aggregates/lending/domain/index.js';
import {
  bookView,
  initialLendingViews,
  projectLendingViews,
  requestView,
  toLendingViewMessage,
  userView,
  type LendingViewMessage,
  type LendingViews,
} from '../../../../views/lending/projections/index.js';
import { giveBack, NOW, request, shelve } from '../../aggregates/lending/fixtures.js';

/** Runs commands through the real aggregate and projects what it emits, plus the queued messages. */
function run(commands: readonly LendingCommand[], configInput: LendingConfigInput = {}) {
  const config = lendingConfig(configInput);
  let state: LendingState = initialState;
  let views: LendingViews = initialLendingViews;
  const log: LendingViewMessage[] = [];
  for (const command of commands) {
    if (command.type !== 'shelve') {
      const queued: LendingViewMessage = {
        type: command.type === 'request' ? 'lending-requested' : 'return-requested',
        data: command.data,
      };
      views = projectLendingViews(views, queued);
      log.push(queued);
    }
    const events = decide(command, state, { now: NOW, config });
    if (isLendingError(events)) throw events;
    state = evolveAll(state, events);
    for (const event of events) views = projectLendingViews(views, event);
    log.push(...events);
  }
  return { state, views, log, config };
}

describe('lending views', () => {
  it('users: books held with due dates and count; a stranger holds nothing', () => {
    const { views } = run([request('r1', 'ann', 'geb', 'dune'), giveBack('r2', 'ann', 'geb')]);
    expect(userView(views.users, 'ann')).toEqual({
      user: 'ann',
      books: [{ book: 'dune', due: '2024-03-24' }],
      count: 1,
    });
    expect(userView(views.users, 'zed')).toEqual({ user: 'zed', books: [], count: 0 });
  });

  it('books: the holder of a lent book, and where returned copies are', () => {
    const { views } = run(
      [request('r1', 'ann', 'a', 'b', 'c'), giveBack('r2', 'ann', 'a', 'b'), request('r3', 'bob', 'c')],
      { storageCapacity: 1 },
    );
    expect(bookView(views.books, 'c')).toMatchObject({
      holders: [{ user: 'ann', due: '2024-03-24' }],
      available: 0,
      status: 'lent',
    });
    expect(bookView(views.books, 'a')).toMatchObject({
      holders: [],
      where: { storage: 1, shelving: 0, shelf: 0 },
      status: 'storage',
    });
    expect(bookView(views.books, 'b')).toMatchObject({
      where: { storage: 0, shelving: 1, shelf: 0 },
      status: 'shelving',
      available: 1,
    });
    expect(bookView(views.books, 'never-seen')).toEqual({
      book: 'never-seen',
      copies: 1,
      holders: [],
      where: { storage: 0, shelving: 0, shelf: 1 },
      available: 1,
      status: 'shelf',
    });
  });

  it('books: after the shelving step the copy is on the shelf again', () => {
    const { views } = run([request('r1', 'ann', 'a', 'b'), giveBack('r2', 'ann', 'a', 'b'), shelve('r2', 'b')], {
      storageCapacity: 1,
    });
    expect(bookView(views.books, 'b')).toMatchObject({ where: { storage: 0, shelving: 0, shelf: 1 }, status: 'shelf' });
  });

  it('books: several copies, several holders', () => {
    const { views } = run([request('r1', 'ann', 'geb'), request('r2', 'bob', 'geb')], { copiesByBook: { geb: 3 } });
    expect(bookView(views.books, 'geb', 3)).toMatchObject({
      copies: 3,
      holders: [{ user: 'ann' }, { user: 'bob' }],
      where: { shelf: 1 },
      available: 1,
    });
  });

  it('requests: pending, then accepted / denied / returned with the outcome', () => {
    const { views } = run([
      request('r1', 'ann', 'geb', 'geb'),
      request('r2', 'bob', 'geb'),
      giveBack('r3', 'ann', 'geb', 'nope'),
    ]);
    expect(requestView(views.requests, 'r1')).toMatchObject({
      kind: 'request',
      user: 'ann',
      books: ['geb', 'geb'],
      status: 'accepted',
      outcome: { type: 'books-lent', data: { books: [{ book: 'geb', due: '2024-03-24' }] } },
    });
    expect(requestView(views.requests, 'r2')).toMatchObject({
      status: 'denied',
      outcome: { type: 'lending-denied', data: { cause: 'none of the requested books is available' } },
    });
    expect(requestView(views.requests, 'r3')).toMatchObject({
      kind: 'return',
      status: 'returned',
      stored: ['geb'],
      outcome: { data: { books: ['geb'], ignored: ['nope'] } },
    });
    expect(requestView(views.requests, 'unknown')).toBeUndefined();

    const pending = projectLendingViews(initialLendingViews, {
      type: 'lending-requested',
      data: { requestId: 'r9', user: 'cat', books: ['x'] },
    });
    expect(requestView(pending.requests, 'r9')).toEqual({
      requestId: 'r9',
      kind: 'request',
      user: 'cat',
      books: ['x'],
      status: 'pending',
    });
  });

  it('requests: an outcome seen before its queued message is not reset to pending', () => {
    const { log } = run([request('r1', 'ann', 'geb')]);
    const [queued, ...outcome] = log as [LendingViewMessage, ...LendingViewMessage[]];
    const views = [...outcome, queued].reduce(projectLendingViews, initialLendingViews);
    expect(requestView(views.requests, 'r1')).toMatchObject({ status: 'accepted', books: ['geb'] });
  });

  it('projections are pure: projecting never changes the earlier view', () => {
    const { views } = run([request('r1', 'ann', 'geb')]);
    const before = {
      user: userView(views.users, 'ann'),
      book: bookView(views.books, 'geb'),
      req: requestView(views.requests, 'r1'),
    };
    projectLendingViews(views, {
      type: 'books-returned',
      data: { requestId: 'r2', user: 'ann', books: ['geb'], ignored: [], held: 0 },
    });
    expect({
      user: userView(views.users, 'ann'),
      book: bookView(views.books, 'geb'),
      req: requestView(views.requests, 'r1'),
    }).toEqual(before);
  });

  it('agree with the aggregate after every step of a long mixed run', () => {
    const configInput = { limit: 3, storageCapacity: 2, copiesByBook: { b0: 2 } };
    const config = lendingConfig(configInput);
    const books = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'];
    const users = ['u0', 'u1', 'u2', 'u3'];
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let state: LendingState = initialState;
    let views: LendingViews = initialLendingViews;
    const sources = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const user = users[next(users.length)] as string;
      const some = Array.from({ length: 1 + next(3) }, () => books[next(books.length)] as string);
      const roll = next(10);
      const batch = [...state.shelving][0];
      const command: LendingCommand =
        roll < 2 && batch
          ? shelve(batch[0], ...batch[1])
          : roll < 6
            ? request(`q${i}`, user, ...some)
            : giveBack(`q${i}`, user, ...some);
      const events = decide(command, state, { now: NOW, config });
      if (isLendingError(events)) throw events;
      state = evolveAll(state, events);
      views = events.reduce(projectLendingViews, views);
      for (const event of events) {
        if (event.type === 'books-lent') event.data.books.forEach((b) => sources.add(b.from));
        else sources.add(event.type);
      }
      for (const u of users) {
        expect(userView(views.users, u).books).toEqual(loansOf(state, u).map(({ book, due }) => ({ book, due })));
      }
      for (const book of books) {
        const counts = copyCountsOf(state, config, book);
        expect(bookView(views.books, book, copiesOf(config, book))).toMatchObject({
          holders: (state.books.get(book)?.loans ?? []).map(({ user: holder, due }) => ({ user: holder, due })),
          where: { storage: counts.inStorage, shelving: counts.inShelving, shelf: counts.onShelf },
          available: counts.free,
        });
      }
    }
    // Not vacuous: copies came from storage, shelves and the shelving cart, and every event type occurred.
    expect([...sources].sort()).toEqual(
      [
        'books-returned',
        'books-sent-to-shelving',
        'books-shelved',
        'books-stored',
        'lending-denied',
        'shelf',
        'shelving',
        'storage',
      ].sort(),
    );
  });

  it('toLendingViewMessage validates payloads and ignores other types', () => {
    expect(toLendingViewMessage({ type: 'book-read', data: { id: 'x' } })).toBeUndefined();
    expect(toLendingViewMessage({ type: 'books-lent', data: { requestId: 'r1' } })).toBeUndefined();
    expect(
      toLendingViewMessage({ type: 'lending-requested', data: { requestId: 'r1', user: 'ann', books: ['geb'] } }),
    ).toEqual({ type: 'lending-requested', data: { requestId: 'r1', user: 'ann', books: ['geb'] } });
    const event: LendingEvent = { type: 'books-stored', data: { requestId: 'r1', books: ['geb'] } };
    expect(toLendingViewMessage(event)).toEqual(event);
  });
});
