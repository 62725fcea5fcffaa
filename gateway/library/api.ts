import { z } from 'zod';
import { withExample, type RestApp } from '../../restlib/index.js';
import { idempotencyKeyHeader } from '../../platform/index.js';
import { BookSchema, CatalogQuerySchema, PatronSchema } from '../../aggregates/library/contract.js';
import type { Upstreams } from '../upstream.js';

/** Consul names of the library services the gateway forwards to. */
export const LIBRARY_UPSTREAMS = { library: 'library', view: 'libraryview' } as const;

const Json = z.record(z.string(), z.unknown());
const BOOK = {
  id: 'dune',
  title: 'Dune',
  author: 'Frank Herbert',
  copies: 2,
  coverUrl: 'https://example.com/dune.jpg',
};
const PATRON = { libraryId: 'L-1001', firstName: 'Ada', lastName: 'Lovelace', role: 'patron' as const };
const Books = withExample(Json, { books: [BOOK] });
const Patrons = withExample(Json, { patrons: [PATRON] });
const Written = withExample(Json, { written: 1 });

/** The library's JSON routes under `/library/api/`: reads from the view, writes to the library service. */
export function libraryApiRoutes(scope: RestApp, up: Upstreams): void {
  const view = LIBRARY_UPSTREAMS.view;
  scope.get(
    '/library/api/books',
    {
      schema: {
        summary: 'The catalog (q, title, author: case-insensitive substrings)',
        tags: ['library'],
        querystring: CatalogQuerySchema,
        response: { 200: Books },
      },
    },
    (req, reply) => {
      const qs = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => !!e[1]));
      return up.read(reply, view, `/books${qs.size ? `?${qs.toString()}` : ''}`);
    },
  );
  scope.get(
    '/library/api/books/:id',
    {
      schema: {
        summary: 'One book of the catalog',
        tags: ['library'],
        params: z.object({ id: z.string().max(100) }),
        response: { 200: withExample(Json, BOOK) },
      },
    },
    (req, reply) => up.read(reply, view, `/books/${encodeURIComponent(req.params.id)}`),
  );
  // Patrons are admin routes: their names and library IDs are what the login page asks for.
  scope.get(
    '/library/api/patrons',
    {
      config: { access: 'admin' },
      schema: { summary: 'The registered patrons', tags: ['library'], response: { 200: Patrons } },
    },
    (_req, reply) => up.read(reply, view, '/patrons'),
  );
  scope.get(
    '/library/api/patrons/:libraryId',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'One patron',
        tags: ['library'],
        params: z.object({ libraryId: z.string().max(40) }),
        response: { 200: withExample(Json, PATRON) },
      },
    },
    (req, reply) => up.read(reply, view, `/patrons/${encodeURIComponent(req.params.libraryId)}`),
  );
  scope.post(
    '/library/api/books',
    {
      schema: {
        summary: 'Catalog books (upsert by id)',
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        body: withExample(z.array(BookSchema).min(1).max(1000), [BOOK]),
        response: { 201: Written },
      },
    },
    (req, reply) => up.write(reply, LIBRARY_UPSTREAMS.library, '/books', req.body, req),
  );
  scope.post(
    '/library/api/patrons',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Register patrons (upsert by library ID)',
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        body: withExample(z.array(PatronSchema).min(1).max(1000), [PATRON]),
        response: { 201: Written },
      },
    },
    (req, reply) => up.write(reply, LIBRARY_UPSTREAMS.library, '/patrons', req.body, req),
  );
  scope.post(
    '/library/api/load-demo',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Load the demo catalog and patrons',
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        response: { 201: withExample(Json, { written: 28 }) },
      },
    },
    (req, reply) => up.write(reply, LIBRARY_UPSTREAMS.library, '/load-demo', {}, req),
  );
}
