import { z } from 'zod';
import { text } from '../../restlib/text.js';
import { createEventRegistry, newEvent, type Envelope, type EventRegistry } from '../../eventlib/index.js';

/** A record's row id in seed 004's API (its MySQL AUTO_INCREMENT ids): a positive integer. */
const SeedId = z.number().int().min(1).max(2_147_483_647);

/** A title the library owns. `id` is also the book id of the lending flow (SPEC §6). */
export const BookSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'lowercase letters, digits and "-" (at most 100)'),
  title: text(300, { what: 'title' }),
  author: text(200, { what: 'author' }),
  copies: z.number().int().min(0).max(1000),
  coverUrl: z.url().max(500),
  /** The integer id seed 004's clients know the book by (`/catdb/{id}`, `book_id`); only seed-numbered books show there. */
  seedId: SeedId.optional(),
});
export type Book = z.infer<typeof BookSchema>;

/** A registered patron; `libraryId` is the user id of the lending flow. Librarians may reset every loan. */
export const PatronSchema = z.strictObject({
  libraryId: z.string().regex(/^[A-Z0-9-]{3,40}$/, 'uppercase letters, digits and "-" (3 to 40)'),
  firstName: text(100, { what: 'firstName' }),
  lastName: text(100, { what: 'lastName' }),
  role: z.enum(['patron', 'librarian']).default('patron'),
  /** The integer id seed 004's clients know the patron by (`patron_id`, `/borrowdb/patron/{id}`). */
  seedId: SeedId.optional(),
});
export type Patron = z.infer<typeof PatronSchema>;

export const LIBRARY_EVENT_TYPES = { bookCataloged: 'book-cataloged', patronRegistered: 'patron-registered' } as const;

/** The library's topic; a namespace prefixes it like the lending topics (tests, several libraries on one cluster). */
export function libraryTopic(namespace = ''): string {
  return `${z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/)
    .parse(namespace)}library`;
}

/** `book-cataloged` and `patron-registered` (version 1) with their schemas. Both are upserts keyed by id. */
export function libraryRegistry(): EventRegistry {
  return createEventRegistry()
    .register({ type: LIBRARY_EVENT_TYPES.bookCataloged, version: 1, schema: BookSchema })
    .register({ type: LIBRARY_EVENT_TYPES.patronRegistered, version: 1, schema: PatronSchema });
}

export type LibraryEvent =
  | { type: typeof LIBRARY_EVENT_TYPES.bookCataloged; data: Book }
  | { type: typeof LIBRARY_EVENT_TYPES.patronRegistered; data: Patron };

/** Envelopes for catalog and patron records (validated here, so nothing invalid reaches the log). */
export function libraryEnvelopes(
  records: { books?: readonly Book[]; patrons?: readonly Patron[] },
  meta: { producer: string; clock: () => Date },
): Envelope[] {
  return [
    ...(records.books ?? []).map((b) =>
      newEvent({
        type: LIBRARY_EVENT_TYPES.bookCataloged,
        key: `book:${b.id}`,
        data: BookSchema.parse(b),
        producer: meta.producer,
        clock: meta.clock,
      }),
    ),
    ...(records.patrons ?? []).map((p) =>
      newEvent({
        type: LIBRARY_EVENT_TYPES.patronRegistered,
        key: `patron:${p.libraryId}`,
        data: PatronSchema.parse(p),
        producer: meta.producer,
        clock: meta.clock,
      }),
    ),
  ];
}

const QueryText = z.string().max(200).optional();
/** `GET /books` of the library view: case-insensitive substrings of title and author (`q`: either). */
export const CatalogQuerySchema = z.object({ q: QueryText, title: QueryText, author: QueryText });
/** `POST /patrons/login` of the library view, and the login form. */
export const CredentialsSchema = z.object({
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  libraryId: z.string().trim().min(1).max(40),
});

export interface Credentials {
  firstName: string;
  lastName: string;
  libraryId: string;
}

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase('en') === b.trim().toLocaleLowerCase('en');

/** The patron these credentials name: names compared case-insensitively (trimmed), the library ID exactly. */
export function findPatron(patrons: ReadonlyMap<string, Patron>, c: Credentials): Patron | undefined {
  const patron = patrons.get(c.libraryId);
  if (!patron) return undefined;
  return sameName(patron.firstName, c.firstName) && sameName(patron.lastName, c.lastName) ? patron : undefined;
}
