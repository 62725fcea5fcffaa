import { describe, expect, it } from 'vitest';
import {
  decide,
  evolve,
  evolveAll,
  initialState,
  invariantViolations,
  isLendingError,
  lendingConfig,
  readSetOf,
  replay,
  sliceOf,
  stateFromSlice,
  toSnapshot,
  type LendingCommand,
  type LendingEvent,
  type LendingState,
} from '../../../../aggregates/lending/domain/index.js';
import { contextWith, giveBack, lent, request, shelve } from './fixtures.js';

describe('lending: evolve', () => {
  it('never mutates the input state and shares what it does not touch', () => {
    const before = evolveAll(initialState, [lent('r1', 'ann', ['geb'])]);
    const snapshot = toSnapshot(before);
    const after = evolve(before, lent('r2', 'bob', ['dune']));
    expect(toSnapshot(before)).toEqual(snapshot);
    expect(after.users.get('ann')).toBe(before.users.get('ann'));
    expect(after.books.get('geb')).toBe(before.books.get('geb'));
  });

  it('ignores unknown event types', () => {
    expect(evolve(initialState, { type: 'book-read', data: {} } as never)).toBe(initialState);
  });

  it('a full lend + return cycle leaves no trace but the outcomes', () => {
    const state = replay([
      lent('r1', 'ann', ['geb']),
      { type: 'books-returned', data: { requestId: 'r2', user: 'ann', books: ['geb'], ignored: [], held: 0 } },
      { type: 'books-sent-to-shelving', data: { requestId: 'r2', books: ['geb'] } },
      { type: 'books-shelved', data: { requestId: 'r2', books: ['geb'] } },
    ]);
    expect(toSnapshot(state)).toMatchObject({ books: {}, users: {}, shelving: {}, storageUsed: 0 });
    expect(Object.keys(toSnapshot(state).outcomes).sort()).toEqual(['r1', 'r2']);
  });
});

/** A deterministic pseudo-random run of many commands, checking the invariants after every decision. */
function randomRun(seed: number, steps: number) {
  let x = seed;
  const next = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const config = lendingConfig({ limit: 3, storageCapacity: 4, copiesByBook: { b0: 2, b1: 3 } });
  const ctx = contextWith({ limit: 3, storageCapacity: 4, copiesByBook: { b0: 2, b1: 3 } });
  const users = ['u0', 'u1', 'u2', 'u3'];
  const books = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'];
  const pick = (k: number) => Array.from({ length: 1 + next(k) }, () => books[next(books.length)] as string);
  let state: LendingState = initialState;
  const log: LendingEvent[] = [];
  const commands: LendingCommand[] = [];
  for (let i = 0; i < steps; i++) {
    const roll = next(10);
    const user = users[next(users.length)] as string;
    let command: LendingCommand;
    if (roll < 5) command = request(`q${i}`, user, ...pick(4));
    else if (roll < 8) command = giveBack(`q${i}`, user, ...pick(4));
    else if (roll < 9 && state.shelving.size > 0) {
      const [id, batch] = [...state.shelving][next(state.shelving.size)] as [string, readonly string[]];
      command = shelve(id, ...batch);
    } else command = request(`q${next(Math.max(1, i))}`, user, ...pick(2)); // maybe a replayed requestId
    commands.push(command);
    const events = decide(command, state, ctx);
    if (isLendingError(events)) throw events;
    // Deciding on only the command's read set gives the same events as deciding on the whole state.
    const readSet = readSetOf(command);
    const sliceState = stateFromSlice(sliceOf(state, readSet));
    expect(decide(command, sliceState, ctx)).toEqual(events);
    const next_ = evolveAll(state, events);
    const writtenBack = sliceOf(evolveAll(sliceState, events), readSet);
    const expected = sliceOf(next_, readSet);
    expect(writtenBack.books).toEqual(expected.books);
    expect(writtenBack.users).toEqual(expected.users);
    expect(writtenBack.outcomes).toEqual(expected.outcomes);
    expect(writtenBack.shelving).toEqual(expected.shelving);
    expect(writtenBack.storageUsed - sliceState.storageUsed).toBe(next_.storageUsed - state.storageUsed);
    state = next_;
    log.push(...events);
    expect(invariantViolations(state, config)).toEqual([]);
  }
  return { state, log, commands };
}

describe('lending: invariants over long random runs', () => {
  it.each([1, 2, 3, 42, 2024])(
    'seed %i: invariants hold, slices decide like the whole state, replay equals live',
    (seed) => {
      const { state, log } = randomRun(seed, 400);
      expect(toSnapshot(replay(log))).toEqual(toSnapshot(state));
      const types = new Set(log.map((e) => e.type));
      // The run exercised every outcome, so the checks above were not vacuous.
      expect([...types].sort()).toEqual([
        'books-lent',
        'books-returned',
        'books-sent-to-shelving',
        'books-shelved',
        'books-stored',
        'lending-denied',
      ]);
    },
  );

  it('invariantViolations reports a broken state', () => {
    const config = lendingConfig();
    const broken = replay([lent('r1', 'ann', ['geb']), lent('r2', 'bob', ['geb'])]);
    expect(invariantViolations(broken, config)).toEqual([expect.stringContaining('book geb: 2 lent')]);
    const overLimit = replay([lent('r1', 'ann', ['a', 'b', 'c', 'd', 'e', 'f'])]);
    expect(invariantViolations(overLimit, config)).toEqual([
      expect.stringContaining('user ann: holds 6 books > limit 5'),
    ]);
  });
});
