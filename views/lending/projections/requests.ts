import { PersistentMap, type LendingOutcome } from '../../../aggregates/lending/contract.js';
import type { LendingViewMessage } from './messages.js';

export type RequestStatus = 'pending' | 'accepted' | 'denied' | 'returned';

/** `GET /lending/requests/{id}`: a request or return, its status and its outcome once decided. */
export interface RequestView {
  readonly requestId: string;
  readonly kind: 'request' | 'return';
  readonly user: string;
  /** The books asked for, as queued (or as decided when the queued message was not seen). */
  readonly books: readonly string[];
  readonly status: RequestStatus;
  /** The deciding event: `books-lent`, `lending-denied` or `books-returned`. */
  readonly outcome?: LendingOutcome;
  /** For returns: where the returned copies went. */
  readonly stored?: readonly string[];
  readonly sentToShelving?: readonly string[];
  readonly shelved?: readonly string[];
}

export type RequestsView = PersistentMap<RequestView>;

export const initialRequestsView: RequestsView = PersistentMap.empty();

const STATUS_OF = { 'books-lent': 'accepted', 'lending-denied': 'denied', 'books-returned': 'returned' } as const;

/**
 * Pure: returns a new view. Queued messages and outcomes may arrive in any order (different topics): a queued
 * message never overwrites a decided request, and an outcome without a queued message still creates the entry.
 */
export function projectRequests(view: RequestsView, message: LendingViewMessage): RequestsView {
  switch (message.type) {
    case 'lending-requested':
    case 'return-requested': {
      const { requestId, user, books } = message.data;
      if (view.has(requestId)) return view;
      const kind = message.type === 'lending-requested' ? 'request' : 'return';
      return view.set(requestId, { requestId, kind, user, books, status: 'pending' });
    }
    case 'books-lent':
    case 'lending-denied':
    case 'books-returned': {
      const { requestId, user } = message.data;
      const earlier = view.get(requestId);
      const kind = message.type === 'books-returned' ? 'return' : 'request';
      const books = earlier?.books ?? decidedBooks(message);
      return view.set(requestId, {
        ...earlier,
        requestId,
        kind,
        user,
        books,
        status: STATUS_OF[message.type],
        outcome: message,
      });
    }
    case 'books-stored':
      return annotate(view, message.data.requestId, { stored: message.data.books });
    case 'books-sent-to-shelving':
      return annotate(view, message.data.requestId, { sentToShelving: message.data.books });
    case 'books-shelved':
      return annotate(view, message.data.requestId, { shelved: message.data.books });
    default:
      return view;
  }
}

export function requestView(view: RequestsView, requestId: string): RequestView | undefined {
  return view.get(requestId);
}

function decidedBooks(outcome: LendingOutcome): readonly string[] {
  switch (outcome.type) {
    case 'books-lent':
      return [...outcome.data.books.map((b) => b.book), ...outcome.data.skipped.map((s) => s.book)];
    case 'lending-denied':
      return outcome.data.requested;
    case 'books-returned':
      return [...outcome.data.books, ...outcome.data.ignored];
  }
}

function annotate(view: RequestsView, requestId: string, fields: Partial<RequestView>): RequestsView {
  const earlier = view.get(requestId);
  return earlier ? view.set(requestId, { ...earlier, ...fields }) : view;
}
