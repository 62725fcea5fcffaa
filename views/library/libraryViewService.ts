import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  ensureLendingTopics,
  lendingRegistry,
  parseLendingEvent,
  queueLending,
  lendingTopics,
  type LendingOutcome,
  type LendingTopics,
} from '../../aggregates/lending/contract.js';
import { problem } from '../../restlib/index.js';
import {
  BookSchema,
  CatalogQuerySchema,
  CredentialsSchema,
  findPatron,
  LibraryError,
  libraryRegistry,
  PatronSchema,
  type LibraryEvent,
} from '../../aggregates/library/contract.js';
import {
  afterOf,
  domainProblem,
  readYourWrites,
  readYourWritesHeaders,
  startReadModel,
  type ComponentIdentity,
  type PlatformDeps,
  type ServiceComponent,
} from '../../platform/index.js';
import { emptyLibrary, evolveLibrary, searchCatalog, type LibraryModel } from './model.js';
import { emptySeedLoans, evolveSeedLoans, type SeedLoans } from './seedApi.js';
import { seedRoutes } from './seedRoutes.js';

export interface LibraryViewOptions {
  identity: ComponentIdentity;
  topic: string;
  group: string;
  /** The lending flow the seed 004 routes borrow through and read loans from (default: no namespace). */
  lending?: LendingTopics;
  /** How long `POST /borrow` waits for the lending worker's decision (default 15 s). */
  decideTimeoutMs?: number;
}

const OUTCOME_TYPES = new Set(['books-lent', 'lending-denied', 'books-returned']);

const Headers = z.object(readYourWritesHeaders);

/**
 * `libraryview`: the catalog and the patrons, rebuilt from the `library` topic at every start. `GET /books`
 * (search `q`, `title`, `author`), `GET /books/{id}`, `GET /patrons`, `GET /patrons/{libraryId}`,
 * `POST /patrons/login` (credentials -> the patron, or 401). Honours `bookshelf-after`. Also seed 004's service
 * routes (`seedRoutes.ts`: `/catdb`, `/patdb`, `/borrowdb/patron/{id}`, `POST|DELETE /borrow`), which read the
 * loans from `lending-events` and borrow by queueing on `lending-commands`, the lending service's command path.
 */
export async function libraryViewService(deps: PlatformDeps, opts: LibraryViewOptions): Promise<ServiceComponent> {
  let model: LibraryModel = emptyLibrary;
  await deps.bus.ensureTopic(opts.topic, { partitions: 1 });
  const read = await startReadModel(deps.bus, {
    topics: [opts.topic],
    group: opts.group,
    registry: libraryRegistry(),
    apply: (event) => {
      if (event.type !== 'book-cataloged' && event.type !== 'patron-registered') return false;
      model = evolveLibrary(model, { type: event.type, data: event.data } as LibraryEvent);
      return true;
    },
    reset: () => (model = emptyLibrary),
    log: deps.log,
  });
  const lending = opts.lending ?? lendingTopics();
  await ensureLendingTopics(deps.bus, lending);
  let loans: SeedLoans = emptySeedLoans;
  const waiters = new Map<string, (outcome: LendingOutcome) => void>();
  const loanModel = await startReadModel(deps.bus, {
    topics: [lending.events],
    group: `${opts.group}.loans`,
    registry: lendingRegistry(),
    apply: (event) => {
      const message = parseLendingEvent(event);
      if (!message) return false;
      loans = evolveSeedLoans(loans, message, event.occurredAt);
      if (OUTCOME_TYPES.has(message.type))
        waiters.get((message.data as { requestId: string }).requestId)?.(message as LendingOutcome);
      return true;
    },
    reset: () => (loans = emptySeedLoans),
    log: deps.log,
  });
  const decide = async (kind: 'request' | 'return', user: string, book: string) => {
    const requestId = randomUUID();
    const abort = new AbortController();
    const decided = new Promise<LendingOutcome>((resolve) => waiters.set(requestId, resolve));
    try {
      const queued = await queueLending(
        deps.bus,
        lending,
        kind,
        { user, books: [book] },
        {
          producer: opts.identity.id,
          clock: deps.clock,
          requestId,
        },
      );
      if (!queued.ok) throw queued.error;
      const timeout = sleep(opts.decideTimeoutMs ?? 15_000, undefined, { signal: abort.signal }).catch(() => undefined);
      return await Promise.race([decided, timeout]);
    } finally {
      abort.abort();
      waiters.delete(requestId);
    }
  };
  return {
    identity: opts.identity,
    description: 'Library views: the catalog (with search) and the patrons',
    async routes(app) {
      const catchUp = async (token: string | undefined) => {
        await Promise.all([read.catchUp(token), loanModel.catchUp(token)]);
      };
      await app.register(readYourWrites, { catchUp });
      app.get(
        '/books',
        {
          schema: {
            summary: 'The catalog; q, title and author filter by case-insensitive substring',
            tags: ['library'],
            querystring: CatalogQuerySchema,
            response: { 200: z.object({ books: z.array(BookSchema) }) },
          },
        },
        async (req) => {
          return { books: searchCatalog(model.books.values(), req.query) };
        },
      );
      app.get(
        '/books/:id',
        {
          schema: {
            summary: 'One book of the catalog',
            tags: ['library'],
            params: z.object({ id: z.string().max(100) }),
            response: { 200: BookSchema },
          },
        },
        async (req) => {
          const book = model.books.get(req.params.id);
          if (!book) throw problem(404, 'REST_ERR_NOT_FOUND', `no book ${req.params.id} in the catalog`);
          return book;
        },
      );
      app.get(
        '/patrons',
        {
          schema: {
            summary: 'The registered patrons',
            tags: ['library'],
            response: { 200: z.object({ patrons: z.array(PatronSchema) }) },
          },
        },
        () => {
          return { patrons: [...model.patrons.values()] };
        },
      );
      app.get(
        '/patrons/:libraryId',
        {
          schema: {
            summary: 'One patron',
            tags: ['library'],
            params: z.object({ libraryId: z.string().max(40) }),
            response: { 200: PatronSchema },
          },
        },
        async (req) => {
          const patron = model.patrons.get(req.params.libraryId);
          if (!patron) throw problem(404, 'REST_ERR_NOT_FOUND', `no patron ${req.params.libraryId}`);
          return patron;
        },
      );
      app.post(
        '/patrons/login',
        {
          schema: {
            summary: 'Check a login: first and last name (case-insensitive) and library ID (exact)',
            tags: ['library'],
            body: CredentialsSchema,
            headers: Headers,
            response: { 200: PatronSchema },
          },
        },
        async (req) => {
          await read.catchUp(afterOf(req));
          const patron = findPatron(model.patrons, req.body);
          if (!patron) {
            throw domainProblem(new LibraryError('LIB_ERR_LOGIN_FAILED', 'no patron with this name and library ID'));
          }
          return patron;
        },
      );
      seedRoutes(app, {
        books: () => model.books,
        patrons: () => model.patrons,
        loans: () => loans,
        catchUp,
        decide,
      });
    },
    readiness: () => {
      const [library, loaned] = [read.readiness(), loanModel.readiness()];
      return { ready: library.ready && loaned.ready, checks: { ...library.checks, loans: loaned.checks } };
    },
    failed: Promise.race([read.failed, loanModel.failed]),
    stop: async () => {
      await Promise.all([read.stop(), loanModel.stop()]);
    },
  };
}
