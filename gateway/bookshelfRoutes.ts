import { z } from 'zod';
import type { RestApp } from '../restlib/index.js';
import { BookInputSchema, BookSchema } from '../aggregates/bookshelf/contract.js';
import { idempotencyKeyHeader } from '../platform/index.js';
import type { GatewayModule } from './module.js';
import type { Upstreams } from './upstream.js';

const writeHeaders = z.object(idempotencyKeyHeader);

/** Consul names of the bookshelf services the gateway forwards to (SPEC §5). */
export const BOOKSHELF_UPSTREAMS = {
  newbook: 'newbook',
  readbook: 'readbook',
  lastread: 'lastreadbooks',
  booklist: 'booklist',
} as const;

/** SPEC §5 gateway routes, forwarded to the four bookshelf services found through the registry. */
export function bookshelfGatewayRoutes(app: RestApp, up: Upstreams): void {
  app.post(
    '/bookshelf/books',
    {
      schema: {
        summary: 'Add a book',
        tags: ['bookshelf'],
        headers: writeHeaders,
        body: BookInputSchema,
        response: { 201: BookSchema },
      },
    },
    (req, reply) => up.write(reply, BOOKSHELF_UPSTREAMS.newbook, '/', req.body, req),
  );
  app.get(
    '/bookshelf/books',
    { schema: { summary: 'Every added book', tags: ['bookshelf'], response: { 200: z.array(BookSchema) } } },
    (_req, reply) => up.read(reply, BOOKSHELF_UPSTREAMS.booklist, '/'),
  );
  app.get(
    '/bookshelf/books/last/read',
    {
      schema: {
        summary: 'The last read books, oldest first',
        tags: ['bookshelf'],
        response: { 200: z.array(z.record(z.string(), z.unknown())) },
      },
    },
    (_req, reply) => up.read(reply, BOOKSHELF_UPSTREAMS.lastread, '/'),
  );
  app.post(
    '/bookshelf/books/:id/finished',
    {
      schema: {
        summary: 'Finish a book',
        tags: ['bookshelf'],
        headers: writeHeaders,
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 204: z.null().describe('recorded') },
      },
    },
    (req, reply) => up.write(reply, BOOKSHELF_UPSTREAMS.readbook, '/', { id: req.params.id }, req),
  );
}

export const BOOKSHELF_GATEWAY: GatewayModule = {
  domain: 'bookshelf',
  summary: 'Add books, finish them, list them (SPEC §5)',
  upstreams: Object.values(BOOKSHELF_UPSTREAMS),
  entries: [
    { href: '/bookshelf/books', text: 'Every added book' },
    { href: '/bookshelf/books/last/read', text: 'The last read books' },
  ],
  routes: bookshelfGatewayRoutes,
};
