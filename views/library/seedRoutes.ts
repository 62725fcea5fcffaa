import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RestApp } from '../../restlib/index.js';
import { afterOf } from '../../platform/index.js';
import type { Book, Patron } from '../../aggregates/library/contract.js';
import type { LendingOutcome } from '../../aggregates/lending/contract.js';
import {
  borrowRows,
  catalogRow,
  patronRow,
  searchCatalogRows,
  searchPatronRows,
  seedBooks,
  seedPatrons,
  SEED_ERRORS,
  testPatron,
  type SeedLoans,
} from './seedApi.js';

/** What the seed routes read and do; the library view service provides it. */
export interface SeedSources {
  books(): ReadonlyMap<string, Book>;
  patrons(): ReadonlyMap<string, Patron>;
  loans(): SeedLoans;
  /** Waits until the views hold what `bookshelf-after` names (GET routes get it from the readYourWrites plugin). */
  catchUp(token: string | undefined): Promise<void>;
  /**
   * Queues a request or return on the lending flow (the same command the gateway's `POST /lending/requests`
   * queues) and waits for the worker's decision; `undefined` when it did not come in time.
   */
  decide(kind: 'request' | 'return', user: string, book: string): Promise<LendingOutcome | undefined>;
}

/** Flask's `<int:...>` converter: digits only, else the route does not match (404). */
const intParam = (value: string): number | undefined => (/^\d{1,9}$/.test(value) ? Number(value) : undefined);
const Json = z.record(z.string(), z.unknown());
const Text = z.object({ text: z.string().max(200) });
const IntId = z.object({ id: z.string().max(20) });
/** `{"borrow": {"book_id", "patron_id"}}` (ints; DELETE also takes the borrowing database's `return` key). */
const BorrowBody = z.object({ book_id: z.number().int(), patron_id: z.number().int() });
const seedError = (reply: FastifyReply, status: keyof typeof SEED_ERRORS, detail?: string) =>
  reply.code(status).send({ ...SEED_ERRORS[status], ...(detail ? { detail } : {}) });

/** Why a borrowing was refused, in words (the seed only answered `false`). */
function refusal(outcome: LendingOutcome, book: string): string | undefined {
  if (outcome.type === 'books-lent') {
    if (outcome.data.books.some((b) => b.book === book)) return undefined;
    const skipped = outcome.data.skipped.find((s) => s.book === book);
    return skipped?.reason === 'already-held' ? 'the patron already has this book' : 'no copy of this book is free';
  }
  if (outcome.type === 'lending-denied') {
    if (outcome.data.cause === 'too many books')
      return `the patron holds ${outcome.data.held}, the limit is ${outcome.data.limit}`;
    return outcome.data.skipped.find((s) => s.book === book)?.reason === 'already-held'
      ? 'the patron already has this book'
      : 'no copy of this book is free';
  }
  return 'unexpected outcome';
}

/**
 * Seed 004's service routes with its JSON shapes (rows as arrays, `{"error": "Not found"}`): the catalog service
 * (`/catdb...`), the patrons service (`/patdb...`), the patron's loans of the borrowing service
 * (`/borrowdb/patron/{id}`) and the borrowing logic (`POST /borrow`, and `DELETE /borrow` to return). Answered from
 * the views and the lending flow: availability and the limit are the lending worker's decision.
 */
export function seedRoutes(app: RestApp, src: SeedSources): void {
  const tags = ['seed 004'];
  app.get(
    '/catdb',
    { schema: { summary: 'Every seed-numbered book: {"books": [[id, title, author, count, thumbnailUrl]]}', tags } },
    () => ({ books: seedBooks(src.books().values()).map(catalogRow) }),
  );
  app.get(
    '/catdb/:id',
    { schema: { summary: 'One book: {"book": [row]}, or 404 {"error": "Not found"}', tags, params: IntId } },
    async (req, reply) => {
      const id = intParam(req.params.id);
      const book = seedBooks(src.books().values()).find((b) => b.seedId === id);
      return book ? { book: [catalogRow(book)] } : seedError(reply, 404);
    },
  );
  for (const field of ['author', 'title'] as const) {
    app.get(
      `/catdb/${field}/:text`,
      {
        schema: {
          summary: `Books whose ${field} contains the text (case-insensitive): {"books": [...]}, or 404`,
          tags,
          params: Text,
        },
      },
      async (req, reply) => {
        const rows = searchCatalogRows(src.books().values(), field, req.params.text);
        return rows.length ? { books: rows } : seedError(reply, 404);
      },
    );
  }
  app.get(
    '/patdb',
    {
      schema: { summary: 'Every seed-numbered patron: {"patron": [[id, firstName, lastName, patronNum, role]]}', tags },
    },
    async (_req, reply) => {
      const rows = seedPatrons(src.patrons().values()).map(patronRow);
      // The seed's code answers under "patron" (its design document says "patrons"); clients follow the code.
      return rows.length ? { patron: rows } : seedError(reply, 404);
    },
  );
  app.get(
    '/patdb/pnum/:num',
    {
      schema: {
        summary: 'The patron with this library ID (exact): {"patron": [[id, firstName, lastName]]}, or 404',
        tags,
        params: z.object({ num: z.string().max(40) }),
      },
    },
    async (req, reply) => {
      const p = seedPatrons(src.patrons().values()).find((x) => x.libraryId === req.params.num);
      return p ? { patron: [[p.seedId, p.firstName, p.lastName]] } : seedError(reply, 404);
    },
  );
  app.get(
    '/patdb/key/:name',
    {
      schema: {
        summary: 'Patrons whose first or last name contains the text: {"patrons": [...]}, or 404',
        tags,
        params: z.object({ name: z.string().max(200) }),
      },
    },
    async (req, reply) => {
      const rows = searchPatronRows(src.patrons().values(), req.params.name);
      return rows.length ? { patrons: rows } : seedError(reply, 404);
    },
  );
  app.get(
    '/patdb/test/:qualifier',
    {
      schema: {
        summary: 'Login check <first>_<last>_<libraryId>: names case-insensitive, ID exact: {"patron": true|false}',
        tags,
        params: z.object({ qualifier: z.string().max(300) }),
      },
    },
    async (req, reply) => {
      const found = testPatron(src.patrons().values(), req.params.qualifier);
      return found === undefined ? seedError(reply, 400) : { patron: found };
    },
  );
  app.get(
    '/borrowdb/patron/:id',
    {
      schema: {
        summary: 'A patron\'s loans: {"transactions": [[id, bookId, patronId, dateOut, dateDue]] | null}',
        tags,
        params: IntId,
      },
    },
    async (req, reply) => {
      const id = intParam(req.params.id);
      if (id === undefined) return seedError(reply, 404);
      const patron = seedPatrons(src.patrons().values()).find((p) => p.seedId === id);
      return { transactions: patron ? borrowRows(src.loans(), patron, src.books()) : null };
    },
  );

  const borrowOrReturn = (kind: 'request' | 'return') => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = BorrowBody.safeParse(kind === 'return' ? (body.borrow ?? body.return) : body.borrow);
    if (!parsed.success) return seedError(reply, 400, 'expected {"borrow": {"book_id": <int>, "patron_id": <int>}}');
    await src.catchUp(afterOf(req));
    const { book_id, patron_id } = parsed.data;
    const book = seedBooks(src.books().values()).find((b) => b.seedId === book_id);
    if (!book) return seedError(reply, 404, `no book ${book_id} in the catalog`);
    const patron = seedPatrons(src.patrons().values()).find((p) => p.seedId === patron_id);
    if (!patron) return seedError(reply, 404, `no patron ${patron_id}`);
    const outcome = await src.decide(kind, patron.libraryId, book.id);
    if (!outcome) return seedError(reply, 503, 'the lending worker did not decide in time; the request stays queued');
    if (kind === 'return') {
      const returned = outcome.type === 'books-returned' && outcome.data.books.includes(book.id);
      return reply.code(200).send({ transaction: returned });
    }
    const reason = refusal(outcome, book.id);
    if (reason !== undefined) return reply.code(200).send({ transaction: false, reason });
    const due = outcome.type === 'books-lent' ? outcome.data.books.find((b) => b.book === book.id)?.due : undefined;
    return reply.code(201).send({ transaction: true, ...(due ? { date_due: due } : {}) });
  };
  const borrowSchema = (summary: string) => ({ summary, tags, body: Json.optional() });
  app.post(
    '/borrow',
    {
      schema: borrowSchema(
        'Borrow (the lending flow decides): 201 {"transaction": true}, 200 {"transaction": false, "reason"}, 404',
      ),
    },
    borrowOrReturn('request'),
  );
  app.delete(
    '/borrow',
    { schema: borrowSchema('Return a book: {"transaction": true} when the patron held it, else false') },
    borrowOrReturn('return'),
  );
  // The seed's unsupported methods answered 404 {"error": "Not found"}.
  app.route({
    method: ['GET', 'PUT'],
    url: '/borrow',
    schema: { hide: true },
    handler: (_req, reply) => seedError(reply, 404),
  });
  for (const url of ['/catdb', '/patdb']) {
    app.route({
      method: ['POST', 'PUT', 'DELETE'],
      url,
      schema: { hide: true },
      handler: (_req, reply) => seedError(reply, 404),
    });
  }
}
