import { parseLendingCommand, type LendingCommand, type LendingRequestData, type ShelveData } from './commands.js';
import type { LendingConfig } from './config.js';
import { dueDate } from './dates.js';
import { LendingError, isLendingError } from './errors.js';
import { DENIAL_CAUSES, type DenialCause, type LendingEvent, type LentBook, type SkippedBook } from './events.js';
import { bookStateOf, loansOf, sourceOfFreeCopy, type LendingState } from './state.js';

/** Everything `decide` needs besides the command and the state: the clock and the rules. */
export interface LendingContext {
  readonly now: Date;
  readonly config: LendingConfig;
}

const NO_EVENTS: readonly LendingEvent[] = Object.freeze([]);

/**
 * The lending rules (SPEC §6), the only place they live. Pure: no I/O, no clock, input never mutated.
 * Returns the events to append (none when the requestId was already decided: read it with `outcomeOf`), or a
 * `LendingError` (`LEND_ERR_VALIDATION`, `LEND_ERR_SHELVING_MISMATCH`) for a command that can never succeed.
 */
export function decide(
  command: LendingCommand,
  state: LendingState,
  ctx: LendingContext,
): readonly LendingEvent[] | LendingError {
  const checked = parseLendingCommand(command);
  if (isLendingError(checked)) return checked;
  switch (checked.type) {
    case 'request':
      return decideRequest(checked.data, state, ctx);
    case 'return':
      return decideReturn(checked.data, state, ctx.config);
    case 'shelve':
      return decideShelve(checked.data, state);
  }
}

function decideRequest(
  { requestId, user, books }: LendingRequestData,
  state: LendingState,
  { now, config }: LendingContext,
): readonly LendingEvent[] {
  if (state.outcomes.has(requestId)) return NO_EVENTS;
  const requested = unique(books);
  const heldBooks = new Set(loansOf(state, user).map((loan) => loan.book));
  const due = dueDate(now, config.loanDays);
  const found: LentBook[] = [];
  const skipped: SkippedBook[] = [];
  for (const book of requested) {
    if (heldBooks.has(book)) {
      skipped.push({ book, reason: 'already-held' });
      continue;
    }
    const from = sourceOfFreeCopy(state, config, book);
    if (from) found.push({ book, due, from });
    else skipped.push({ book, reason: 'unavailable' });
  }
  const held = heldBooks.size;
  const deny = (cause: DenialCause): readonly LendingEvent[] => [
    {
      type: 'lending-denied',
      data: { requestId, user, cause, requested, found: found.map((f) => f.book), skipped, held, limit: config.limit },
    },
  ];
  if (found.length === 0) return deny(DENIAL_CAUSES.noneAvailable);
  // Denied as a whole: the copies found above were only reserved inside this decision, so nothing stays reserved.
  if (held + found.length > config.limit) return deny(DENIAL_CAUSES.tooMany);
  return [{ type: 'books-lent', data: { requestId, user, books: found, skipped, held: held + found.length } }];
}

function decideReturn(
  { requestId, user, books }: LendingRequestData,
  state: LendingState,
  config: LendingConfig,
): readonly LendingEvent[] {
  if (state.outcomes.has(requestId)) return NO_EVENTS;
  const heldBooks = new Set(loansOf(state, user).map((loan) => loan.book));
  const requested = unique(books);
  const returned = requested.filter((book) => heldBooks.has(book));
  const ignored = requested.filter((book) => !heldBooks.has(book));
  const events: LendingEvent[] = [
    {
      type: 'books-returned',
      data: { requestId, user, books: returned, ignored, held: heldBooks.size - returned.length },
    },
  ];
  const room = Math.max(0, config.storageCapacity - state.storageUsed);
  const stored = returned.slice(0, room);
  const overflow = returned.slice(room);
  if (stored.length > 0) events.push({ type: 'books-stored', data: { requestId, books: stored } });
  if (overflow.length > 0) events.push({ type: 'books-sent-to-shelving', data: { requestId, books: overflow } });
  return events;
}

function decideShelve({ requestId, books }: ShelveData, state: LendingState): readonly LendingEvent[] | LendingError {
  const batch = state.shelving.get(requestId);
  if (!batch) return NO_EVENTS; // already shelved (or never sent): nothing to do, idempotent
  const reported = new Set(books);
  if (reported.size !== batch.length || batch.some((book) => !reported.has(book))) {
    return new LendingError(
      'LEND_ERR_SHELVING_MISMATCH',
      `shelving batch ${requestId} holds [${batch.join(', ')}], the shelving report names [${[...reported].join(', ')}]`,
      { field: 'books' },
    );
  }
  // Copies lent straight from the shelving cart meanwhile are no longer in transit.
  const shelved = batch.filter((book) => bookStateOf(state, book).inShelving > 0);
  return [{ type: 'books-shelved', data: { requestId, books: shelved } }];
}

function unique(books: readonly string[]): string[] {
  return [...new Set(books)];
}
