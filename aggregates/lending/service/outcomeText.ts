import type { LendingOutcome } from '../domain/index.js';

/** One line for a person: what the CLI's `--wait` prints. */
export function describeOutcome(outcome: LendingOutcome): string {
  switch (outcome.type) {
    case 'books-lent': {
      const lent = outcome.data.books.map((b) => `${b.book} (due ${b.due})`).join(', ');
      const skipped = outcome.data.skipped.map((s) => `${s.book} (${s.reason})`).join(', ');
      return `accepted: ${lent}${skipped ? `; skipped: ${skipped}` : ''}; ${outcome.data.user} holds ${outcome.data.held}`;
    }
    case 'lending-denied':
      return `denied: ${outcome.data.cause}; ${outcome.data.user} holds ${outcome.data.held} (limit ${outcome.data.limit})`;
    case 'books-returned': {
      const { books, ignored, user, held } = outcome.data;
      return `returned: ${books.length ? books.join(', ') : 'nothing'}${ignored.length ? `; ignored (not held): ${ignored.join(', ')}` : ''}; ${user} holds ${held}`;
    }
  }
}
