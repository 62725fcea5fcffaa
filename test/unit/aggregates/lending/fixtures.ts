import {
  decide,
  evolve,
  initialState,
  lendingConfig,
  toSnapshot,
  type LendingCommand,
  type LendingConfigInput,
  type LendingContext,
  type LendingError,
  type LendingEvent,
  type LendingState,
} from '../../../../aggregates/lending/domain/index.js';
import { deciderSpec, type SpecDecider as Decider } from '../../../../platform/testing/index.js';

export const lending: Decider<LendingCommand, LendingEvent, LendingState, LendingContext, LendingError> = {
  decide,
  evolve,
  initialState,
};

/** 23:30 UTC on 10 March 2024: due dates are the UTC date + loan days. */
export const NOW = new Date('2024-03-10T23:30:00.000Z');
export const DUE = '2024-03-24';

export function contextWith(config: LendingConfigInput = {}, now: Date = NOW): LendingContext {
  return { now, config: lendingConfig(config) };
}

export function specWith(config: LendingConfigInput = {}, now: Date = NOW) {
  return deciderSpec(lending, { context: contextWith(config, now), snapshot: toSnapshot });
}

export const request = (requestId: string, user: string, ...books: string[]): LendingCommand => ({
  type: 'request',
  data: { requestId, user, books },
});
export const giveBack = (requestId: string, user: string, ...books: string[]): LendingCommand => ({
  type: 'return',
  data: { requestId, user, books },
});
export const shelve = (requestId: string, ...books: string[]): LendingCommand => ({
  type: 'shelve',
  data: { requestId, books },
});

/** A `books-lent` event for books taken from the shelves with the default due date. */
export function lent(requestId: string, user: string, books: string[], held = books.length): LendingEvent {
  return {
    type: 'books-lent',
    data: {
      requestId,
      user,
      books: books.map((book) => ({ book, due: DUE, from: 'shelf' as const })),
      skipped: [],
      held,
    },
  };
}
