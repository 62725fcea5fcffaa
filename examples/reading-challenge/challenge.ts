// The domain: pure decide/evolve, no transport. A reader joins a challenge with a goal (a number of books), logs
// the books they finish; the challenge is completed once, when the goal is reached.
import { defineErrorCatalogue, type Decider } from 'bookshelf/platform';

export type ChallengeCommand =
  | { type: 'join'; commandId: string; reader: string; goal: number }
  | { type: 'log-book'; commandId: string; reader: string; book: string };

export type ChallengeEvent =
  | { type: 'challenge-joined'; commandId: string; reader: string; goal: number }
  | { type: 'book-logged'; commandId: string; reader: string; book: string; count: number }
  | { type: 'challenge-completed'; commandId: string; reader: string; books: number };

export interface Reader {
  readonly goal: number;
  readonly books: ReadonlySet<string>;
  readonly completed: boolean;
}

export interface ChallengeState {
  readonly readers: ReadonlyMap<string, Reader>;
  /** Commands already decided: a redelivered one decides nothing. */
  readonly done: ReadonlySet<string>;
}

export const CHALLENGE_ERRORS = defineErrorCatalogue({
  name: 'ChallengeError',
  prefix: 'CHAL_ERR_',
  codes: {
    CHAL_ERR_NOT_JOINED: { status: 409, title: 'Not in the challenge', retriable: false },
    CHAL_ERR_INVALID: { status: 400, title: 'Invalid command', retriable: false },
  },
});
export const ChallengeError = CHALLENGE_ERRORS.Error;
export type ChallengeError = InstanceType<typeof ChallengeError>;

export const challenge: Decider<ChallengeCommand, ChallengeEvent, ChallengeState, ChallengeError> = {
  initialState: { readers: new Map(), done: new Set() },
  isRejection: (value): value is ChallengeError => CHALLENGE_ERRORS.is(value),
  decide(command, state) {
    if (state.done.has(command.commandId)) return [];
    const { commandId, reader } = command;
    const current = state.readers.get(reader);
    if (command.type === 'join') {
      if (!Number.isInteger(command.goal) || command.goal < 1)
        return new ChallengeError('CHAL_ERR_INVALID', 'the goal must be a whole number of books, at least 1', {
          field: 'goal',
        });
      return current ? [] : [{ type: 'challenge-joined', commandId, reader, goal: command.goal }];
    }
    if (!current) return new ChallengeError('CHAL_ERR_NOT_JOINED', `${reader} has not joined the challenge`);
    if (current.books.has(command.book)) return [];
    const count = current.books.size + 1;
    const logged: ChallengeEvent = { type: 'book-logged', commandId, reader, book: command.book, count };
    return count === current.goal && !current.completed
      ? [logged, { type: 'challenge-completed', commandId, reader, books: count }]
      : [logged];
  },
  evolve(state, event) {
    const readers = new Map(state.readers);
    const reader = readers.get(event.reader);
    if (event.type === 'challenge-joined')
      readers.set(event.reader, { goal: event.goal, books: new Set(), completed: false });
    if (event.type === 'book-logged' && reader)
      readers.set(event.reader, { ...reader, books: new Set(reader.books).add(event.book) });
    if (event.type === 'challenge-completed' && reader) readers.set(event.reader, { ...reader, completed: true });
    return { readers, done: new Set(state.done).add(event.commandId) };
  },
};
