/**
 * Lending read models (SPEC §6) as pure projections over the aggregate's events (and queued requests):
 * users (books held, due dates, count), books (holders, where the other copies are), requests (status, outcome).
 * Each is `project*(view, message) -> view` plus a query; `projectLendingViews` folds all three at once.
 */
import { initialBooksView, projectBooks, type BooksView } from './books.js';
import type { LendingViewMessage } from './messages.js';
import { initialRequestsView, projectRequests, type RequestsView } from './requests.js';
import { initialUsersView, projectUsers, type UsersView } from './users.js';

export interface LendingViews {
  readonly users: UsersView;
  readonly books: BooksView;
  readonly requests: RequestsView;
}

export const initialLendingViews: LendingViews = Object.freeze({
  users: initialUsersView,
  books: initialBooksView,
  requests: initialRequestsView,
});

export function projectLendingViews(views: LendingViews, message: LendingViewMessage): LendingViews {
  return {
    users: projectUsers(views.users, message),
    books: projectBooks(views.books, message),
    requests: projectRequests(views.requests, message),
  };
}

export { toLendingViewMessage, type LendingViewMessage, type LendingQueued } from './messages.js';
export { initialUsersView, projectUsers, userView, type UsersView, type UserView, type HeldBook } from './users.js';
export { initialBooksView, projectBooks, bookView, type BooksView, type BookView, type BookHolder } from './books.js';
export {
  initialRequestsView,
  projectRequests,
  requestView,
  type RequestsView,
  type RequestView,
  type RequestStatus,
} from './requests.js';
