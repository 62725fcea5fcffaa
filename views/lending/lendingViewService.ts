import { z } from 'zod';
import { problem } from '../../restlib/index.js';
import { copiesOf, LENDING_INPUT_LIMITS, type LendingConfig } from '../../aggregates/lending/contract.js';
import { lendingRegistry, type LendingTopics } from '../../aggregates/lending/contract.js';
import {
  readYourWrites,
  startReadModel,
  type ComponentIdentity,
  type PlatformDeps,
  type ServiceComponent,
} from '../../platform/index.js';
import {
  bookView,
  initialLendingViews,
  projectLendingViews,
  requestView,
  toLendingViewMessage,
  userView,
  type LendingViews,
} from './projections/index.js';

export interface LendingViewOptions {
  identity: ComponentIdentity;
  topics: LendingTopics;
  group: string;
  /** For the copies of each book (`copiesPerBook`, `copiesByBook`); the rest is not used by the views. */
  config: LendingConfig;
}

const Id = (what: string) => z.string().trim().min(1).max(LENDING_INPUT_LIMITS.maxBookIdLength, `${what} is too long`);
const Json = z.record(z.string(), z.unknown());

/**
 * `lendingview`: the users, books and requests views of SPEC §6, rebuilt from `lending-events` (outcomes) and
 * `lending-commands` (queued requests show as `pending`) at every start. Honours `bookshelf-after`.
 */
export async function lendingViewService(deps: PlatformDeps, opts: LendingViewOptions): Promise<ServiceComponent> {
  let views: LendingViews = initialLendingViews;
  const model = await startReadModel(deps.bus, {
    topics: [opts.topics.events, opts.topics.commands],
    group: opts.group,
    registry: lendingRegistry(),
    apply: (event) => {
      const message = toLendingViewMessage(event);
      if (!message) return false;
      views = projectLendingViews(views, message);
      return true;
    },
    reset: () => (views = initialLendingViews),
    log: deps.log,
  });
  return {
    identity: opts.identity,
    description: 'Lending views: books held per user, where each book is, the outcome of each request',
    async routes(app) {
      await app.register(readYourWrites, { catchUp: (token) => model.catchUp(token) });
      app.get(
        '/requests/:id',
        {
          schema: {
            summary: 'A request or return: pending, accepted, denied or returned, with its outcome',
            tags: ['lending'],
            params: z.object({ id: Id('request id') }),
            response: { 200: Json },
          },
        },
        async (req) => {
          const found = requestView(views.requests, req.params.id);
          if (!found) throw problem(404, 'REST_ERR_NOT_FOUND', `no lending request ${req.params.id}`);
          return found as unknown as Record<string, unknown>;
        },
      );
      app.get(
        '/users/:user',
        {
          schema: {
            summary: 'Books a user holds, with due dates, and how many',
            tags: ['lending'],
            params: z.object({ user: Id('user') }),
            response: { 200: Json },
          },
        },
        async (req) => {
          return userView(views.users, req.params.user) as unknown as Record<string, unknown>;
        },
      );
      app.get(
        '/books/:book',
        {
          schema: {
            summary: 'Who holds a book, and where its other copies are',
            tags: ['lending'],
            params: z.object({ book: Id('book id') }),
            response: { 200: Json },
          },
        },
        async (req) => {
          const { book } = req.params;
          return bookView(views.books, book, copiesOf(opts.config, book)) as unknown as Record<string, unknown>;
        },
      );
    },
    readiness: () => model.readiness(),
    failed: model.failed,
    stop: () => model.stop(),
  };
}
