import { z } from 'zod';
import { text } from '../../restlib/text.js';

/** The topic the bookshelf domain writes to and reads from (the seed's default). */
export const BOOKSHELF_TOPIC = 'bookshelf';

const fieldValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

/**
 * A book as users post it: title and author are required; a few more scalar fields (isbn, year, pages...) are
 * kept as given. Nested objects are refused so a view's memory stays bounded per book.
 */
export const BookInputSchema = z
  .object({
    title: text(500, { what: 'title' }),
    author: text(300, { what: 'author' }),
  })
  .catchall(fieldValue)
  .refine((b) => Object.keys(b).length <= 32, { message: 'a book has at most 32 fields' })
  .refine((b) => !('id' in b), { message: 'id is assigned by the service; do not send one', path: ['id'] })
  // The two refinements, as the OpenAPI document states them.
  .meta({ maxProperties: 32, not: { required: ['id'] } });
export type BookInput = z.infer<typeof BookInputSchema>;

export const BookSchema = z
  .object({ id: z.string().min(1).max(200), title: z.string().min(1), author: z.string().optional() })
  .catchall(fieldValue);
export type Book = z.infer<typeof BookSchema>;

/** `book-added` v1: the whole book, with its id. */
export const BookAddedSchema = BookSchema;

/** `book-read` v1: a book finished, named by id (the aggregate) or by title (a plain line pushed with kcat). */
export const BookReadSchema = z
  .object({ id: z.string().min(1).max(200).optional(), title: z.string().min(1).max(2000).optional() })
  .refine((d) => d.id !== undefined || d.title !== undefined, { message: 'book-read needs an id or a title' });
export type BookRead = z.infer<typeof BookReadSchema>;

export type BookshelfEvent = { type: 'book-added'; data: Book } | { type: 'book-read'; data: BookRead };

export const BOOKSHELF_EVENT_TYPES = [
  { type: 'book-added', version: 1, schema: BookAddedSchema },
  { type: 'book-read', version: 1, schema: BookReadSchema },
] as const;

/**
 * The bookshelf topic is one ordered log: "the last five read" is an order across every book, which a topic
 * split into partitions cannot keep. Every bookshelf service creates it with a single partition if it is missing.
 */
export const BOOKSHELF_PARTITIONS = 1;
