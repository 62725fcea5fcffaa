import { describe, expect, it } from 'vitest';
import {
  decide,
  evolveAll,
  isLendingError,
  lendingCommand,
  readSetOf,
  replay,
  sliceOf,
  stateFromSlice,
  toSnapshot,
  unionReadSet,
  type LendingEvent,
  type LendingState,
} from '../../../../../aggregates/lending/domain/index.js';
import { LendingKeys, parseSlice, sliceWrites } from '../../../../../aggregates/lending/redis/stateKeys.js';
import { contextWith } from '../fixtures.js';

const keys = new LendingKeys('{t-lending}');
const ctx = contextWith({ storageCapacity: 1 });

/** What a Redis worker does with one command, on an in-memory "Redis" (a Map of keys). */
function decideOnKeys(store: Map<string, string>, command: ReturnType<typeof lendingCommand>): readonly LendingEvent[] {
  const readSet = readSetOf(command);
  const before = parseSlice(
    readSet,
    keys.keysOf(readSet).map((k) => store.get(k) ?? null),
  );
  const state = stateFromSlice(before);
  const decided = decide(command, state, ctx);
  if (isLendingError(decided)) throw decided;
  const events: readonly LendingEvent[] = decided;
  const writes = sliceWrites(keys, before, sliceOf(evolveAll(state, events), readSet));
  for (const [k, v] of writes.set) store.set(k, v);
  for (const k of writes.del) store.delete(k);
  store.set(keys.storage, String(Number(store.get(keys.storage) ?? 0) + writes.storageDelta));
  return events;
}

/** The keys as a state, to compare with a replay. */
function stateOfKeys(store: Map<string, string>): LendingState {
  let state = replay([]);
  const ids = (kind: string) =>
    [...store.keys()].filter((k) => k.startsWith(`{t-lending}:${kind}:`)).map((k) => k.split(':').slice(2).join(':'));
  const readSet = {
    books: ids('book'),
    users: ids('user'),
    requestIds: ids('outcome'),
    shelvingBatches: ids('shelving'),
    readsStorage: true,
  };
  state = stateFromSlice(
    parseSlice(
      readSet,
      keys.keysOf(readSet).map((k) => store.get(k) ?? null),
    ),
  );
  return state;
}

describe('the Redis key layout of the lending state', () => {
  it('given requests and returns decided key by key, when compared with a replay of their events, then they are equal', () => {
    const store = new Map<string, string>();
    const events: LendingEvent[] = [];
    const commands = [
      lendingCommand('request', 'r1', { user: 'ann', books: ['a', 'b'] }),
      lendingCommand('request', 'r2', { user: 'bob', books: ['a', 'c'] }),
      lendingCommand('return', 'r3', { user: 'ann', books: ['a', 'b', 'x'] }),
      lendingCommand('request', 'r4', { user: 'bob', books: ['a'] }),
      { type: 'shelve' as const, data: { requestId: 'r3', books: ['b'] } },
      lendingCommand('request', 'r1', { user: 'ann', books: ['a', 'b'] }),
    ];
    for (const command of commands) events.push(...decideOnKeys(store, command));
    expect(toSnapshot(stateOfKeys(store))).toEqual(toSnapshot(replay(events)));
    expect(events.map((e) => e.type)).toEqual([
      'books-lent',
      'books-lent',
      'books-returned',
      'books-stored',
      'books-sent-to-shelving',
      'books-lent',
      'books-shelved',
    ]);
  });

  it('when a request is decided, then it writes the book, the user and the outcome and watches no storage counter', () => {
    const command = lendingCommand('request', 'r1', { user: 'ann', books: ['a'] });
    const readSet = readSetOf(command);
    expect(keys.watchedKeysOf(readSet)).toEqual([
      '{t-lending}:book:a',
      '{t-lending}:user:ann',
      '{t-lending}:outcome:r1',
    ]);
    const store = new Map<string, string>();
    decideOnKeys(store, command);
    expect([...store.keys()].sort()).toEqual([
      '{t-lending}:book:a',
      '{t-lending}:outcome:r1',
      '{t-lending}:storage',
      '{t-lending}:user:ann',
    ]);
  });

  it('when a return is decided, then the storage counter is watched (room left decides stored vs shelving)', () => {
    const readSet = readSetOf(lendingCommand('return', 'r9', { user: 'ann', books: ['a'] }));
    expect(keys.watchedKeysOf(readSet)).toContain('{t-lending}:storage');
  });

  it('given the same commands decided as one batch on the union of their read sets, then the keys equal key by key', () => {
    const commands = [
      lendingCommand('request', 'r1', { user: 'ann', books: ['a', 'b'] }),
      lendingCommand('request', 'r2', { user: 'bob', books: ['a', 'c'] }),
      lendingCommand('return', 'r3', { user: 'ann', books: ['a', 'b', 'x'] }),
      lendingCommand('request', 'r4', { user: 'bob', books: ['a'] }),
      lendingCommand('request', 'r1', { user: 'ann', books: ['a', 'b'] }),
    ];
    const oneByOne = new Map<string, string>();
    for (const command of commands) decideOnKeys(oneByOne, command);

    const batch = new Map<string, string>();
    const readSet = unionReadSet(commands.map(readSetOf));
    expect(readSet.books).toEqual(['a', 'b', 'c', 'x']);
    expect(readSet.readsStorage).toBe(true);
    const before = parseSlice(
      readSet,
      keys.keysOf(readSet).map((k) => batch.get(k) ?? null),
    );
    let state = stateFromSlice(before);
    for (const command of commands) {
      const decided = decide(command, state, ctx);
      if (isLendingError(decided)) throw decided;
      state = evolveAll(state, decided);
    }
    const writes = sliceWrites(keys, before, sliceOf(state, readSet));
    for (const [k, v] of writes.set) batch.set(k, v);
    batch.set(keys.storage, String(writes.storageDelta));
    expect(toSnapshot(stateOfKeys(batch))).toEqual(toSnapshot(stateOfKeys(oneByOne)));
  });
});
