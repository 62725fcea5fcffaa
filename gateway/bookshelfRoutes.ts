import { z } from 'zod';
import { withExample, type RestApp } from '../restlib/index.js';
import { BookInputSchema, BookSchema } from '../aggregates/bookshelf/contract.js';
import { idempotencyKeyHeader } from '../platform/index.js';
import type { GatewayModule } from './module.js';
import type { Upstreams } from './upstream.js';

const writeHeaders = z.object(idempotencyKeyHeader);
const BOOK = { id: '3f2b8c1e-6d4a-4f0e-9b7a-1c2d3e4f5a6b', title: 'Dune', author: 'Frank Herbert' };

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
        body: withExample(BookInputSchema, { title: 'Dune', author: 'Frank Herbert' }),
        response: { 201: withExample(BookSchema, BOOK) },
      },
    },
    (req, reply) => up.write(reply, BOOKSHELF_UPSTREAMS.newbook, '/', req.body, req),
  );
  app.get(
    '/bookshelf/books',
    {
      schema: {
        summary: 'Every added book',
        tags: ['bookshelf'],
        response: { 200: withExample(z.array(BookSchema), [BOOK]) },
      },
    },
    (_req, reply) => up.read(reply, BOOKSHELF_UPSTREAMS.booklist, '/'),
  );
  app.get(
    '/bookshelf/books/last/read',
    {
      schema: {
        summary: 'The last read books, oldest first',
        tags: ['bookshelf'],
        response: { 200: withExample(z.array(z.record(z.string(), z.unknown())), [BOOK]) },
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
        response: { 204: withExample(z.null().describe('recorded'), null) },
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
