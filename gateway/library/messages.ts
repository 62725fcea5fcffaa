import { type LendingOutcome } from '../../aggregates/lending/contract.js';
import type { Flash } from './pages.js';

/** What `POST /lending/requests|returns?wait=true` answered: 200 with the decided request, 202 still queued. */
export interface WaitAnswer {
  status: number;
  body: { status?: string; outcome?: LendingOutcome; detail?: string } | undefined;
}

/** The message a patron sees after asking to borrow `title` (the server's decision, in words). */
export function borrowMessage(answer: WaitAnswer, book: string, title: string): Flash {
  if (answer.status === 202) {
    return { kind: 'info', text: `Your request for “${title}” is queued; check My books in a moment.` };
  }
  const outcome = answer.body?.outcome;
  if (answer.status !== 200 || !outcome) {
    return {
      kind: 'error',
      text: `The lending service could not take your request (HTTP ${answer.status}). Try again.`,
    };
  }
  if (outcome.type === 'books-lent') {
    const lent = outcome.data.books.find((b) => b.book === book);
    if (lent) return { kind: 'success', text: `You borrowed “${title}”. It is due on ${lent.due}.` };
    const skipped = outcome.data.skipped.find((s) => s.book === book);
    return refusal(skipped?.reason, title);
  }
  if (outcome.type === 'lending-denied') {
    const { cause, held, limit, skipped } = outcome.data;
    if (cause === 'too many books') {
      return {
        kind: 'error',
        text: `Borrowing refused: you already hold ${held} ${held === 1 ? 'book' : 'books'} and the limit is ${limit}. Return a book first.`,
      };
    }
    return refusal(skipped.find((s) => s.book === book)?.reason, title);
  }
  return { kind: 'error', text: 'Unexpected answer from the lending service.' };
}

function refusal(reason: string | undefined, title: string): Flash {
  return reason === 'already-held'
    ? { kind: 'error', text: `Borrowing refused: you already have a copy of “${title}” (one copy per patron).` }
    : { kind: 'error', text: `Borrowing refused: no copy of “${title}” is free right now.` };
}

/** The message after returning `title`. */
export function returnMessage(answer: WaitAnswer, book: string, title: string): Flash {
  if (answer.status === 202) return { kind: 'info', text: `Your return of “${title}” is queued.` };
  const outcome = answer.body?.outcome;
  if (answer.status !== 200 || outcome?.type !== 'books-returned') {
    return {
      kind: 'error',
      text: `The lending service could not take your return (HTTP ${answer.status}). Try again.`,
    };
  }
  return outcome.data.books.includes(book)
    ? { kind: 'success', text: `You returned “${title}”. Thank you!` }
    : { kind: 'info', text: `“${title}” was not on your card.` };
}
