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
        summary: "Load the demo catalog and patrons (set=seed: seed 004's own)",
        tags: ['library'],
        headers: z.object(idempotencyKeyHeader),
        querystring: z.object({ set: z.enum(['default', 'seed']).optional() }),
        response: { 201: withExample(Json, { written: 28 }) },
      },
    },
    (req, reply) =>
      up.write(reply, LIBRARY_UPSTREAMS.library, `/load-demo${req.query.set ? `?set=${req.query.set}` : ''}`, {}, req),
  );
}

/**
 * Seed 004's service routes (`/catdb...`, `/patdb...`, `/borrowdb/patron/{id}`, `POST|DELETE /borrow`), forwarded to
 * the library view as they are: a seed client's base URL can be the gateway. The `/patdb` routes are admin routes,
 * like `/library/api/patrons` (they show library IDs, and `/patdb/test` would check cards past the login limit);
 * `POST|DELETE /borrow` are write routes (an API key when keys are on). They answer in the seed's shapes (its
 * `{"error": "Not found"}`, not problem+json), so they stay out of the OpenAPI document: README lists them.
 */
export function seedApiRoutes(scope: RestApp, up: Upstreams): void {
  const view = LIBRARY_UPSTREAMS.view;
  const tags = ['seed 004'];
  for (const [path, param, admin] of [
    ['/catdb', undefined, false],
    ['/catdb/:id', 'id', false],
    ['/catdb/author/:name', 'name', false],
    ['/catdb/title/:text', 'text', false],
    ['/patdb', undefined, true],
    ['/patdb/pnum/:num', 'num', true],
    ['/patdb/key/:name', 'name', true],
    ['/patdb/test/:qualifier', 'qualifier', true],
    ['/borrowdb/patron/:id', 'id', false],
  ] as const) {
    scope.get(
      path,
      {
        ...(admin ? { config: { access: 'admin' as const } } : {}),
        schema: {
          hide: true,
          summary: `Seed 004: ${path} (from the library view)`,
          tags,
          ...(param ? { params: z.object({ [param]: z.string().max(300) }) } : {}),
        },
      },
      (req, reply) => {
        const value = param ? (req.params as Record<string, string>)[param]! : undefined;
        const target = value === undefined ? path : path.replace(`:${param}`, encodeURIComponent(value));
        return up.read(reply, view, target);
      },
    );
  }
  scope.post(
    '/borrow',
    { schema: { hide: true, summary: 'Seed 004: borrow a book', tags, body: Json.optional() } },
    (req, reply) => up.write(reply, view, '/borrow', req.body ?? {}, req),
  );
  scope.delete(
    '/borrow',
    { schema: { hide: true, summary: 'Seed 004: return a book', tags, body: Json.optional() } },
    (req, reply) => up.forward(reply, view, 'DELETE', '/borrow', req.body ?? {}, req),
  );
  // The seed's unsupported methods: the view answers its 404 {"error": "Not found"} (not a 405 from here).
  scope.get('/borrow', { schema: { hide: true } }, (_req, reply) => up.read(reply, view, '/borrow'));
  scope.put('/borrow', { schema: { hide: true } }, (req, reply) => up.forward(reply, view, 'PUT', '/borrow', {}, req));
}
