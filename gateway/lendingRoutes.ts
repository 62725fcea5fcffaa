import { AFTER_HEADER, POSITION_HEADER } from '../eventlib/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { text, withExample, type RestApp } from '../restlib/index.js';
import { LendingInputSchema, LENDING_INPUT_LIMITS } from '../aggregates/lending/contract.js';
import { idempotencyKeyHeader } from '../platform/index.js';
import type { GatewayModule } from './module.js';
import { REQUEST_ID_HEADER, type Upstreams } from './upstream.js';

/** Consul names of the lending services the gateway forwards to. */
export const LENDING_UPSTREAMS = { lending: 'lending', view: 'lendingview' } as const;

const Json = z.record(z.string(), z.unknown());
const QUEUED = { requestId: '978c74c3-85c2-437e-969d-b3514804e3ba', kind: 'request', status: 'pending' };
const EXAMPLES = {
  id: { ...QUEUED, status: 'lent' },
  user: { user: 'ann', books: [{ book: 'dune', due: '2026-12-16' }], count: 1 },
  book: { book: 'dune', copies: 1, holders: [{ user: 'ann', due: '2026-12-16' }], available: 0, status: 'lent' },
} as const;
const Id = (what: string) => text(LENDING_INPUT_LIMITS.maxBookIdLength, { what });
const WaitQuery = z.object({
  wait: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((v) => v === 'true' || v === '1' || v === ''),
  timeoutMs: z.coerce.number().int().min(100).max(60_000).default(15_000),
});

/**
 * SPEC §6 on the gateway: `POST /lending/requests` and `POST /lending/returns` -> 202 with a request id (200 with
 * the outcome with `?wait=true`; still 202 if the worker has not decided within `timeoutMs`),
 * `GET /lending/requests/{id}`, `GET /lending/users/{user}`, `GET /lending/books/{book}`.
 */
export function lendingGatewayRoutes(app: RestApp, up: Upstreams): void {
  for (const [path, upstreamPath, summary] of [
    ['/lending/requests', '/requests', 'Request books'],
    ['/lending/returns', '/returns', 'Return books'],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          summary,
          tags: ['lending'],
          headers: z.object(idempotencyKeyHeader),
          body: withExample(LendingInputSchema, { user: 'ann', books: ['dune'] }),
          querystring: WaitQuery,
          response: { 200: withExample(Json, { ...QUEUED, status: 'lent' }), 202: withExample(Json, QUEUED) },
        },
      },
      async (req, reply) => {
        if (!req.query.wait) return up.write(reply, LENDING_UPSTREAMS.lending, upstreamPath, req.body, req);
        return queueAndWait(up, reply, upstreamPath, req.body, req.query.timeoutMs, up.writeHeaders(req));
      },
    );
  }
  for (const [path, upstream, param, summary] of [
    ['/lending/requests/:id', '/requests', 'id', 'A request or return and its outcome'],
    ['/lending/users/:user', '/users', 'user', 'Books a user holds, with due dates'],
    ['/lending/books/:book', '/books', 'book', 'Who holds a book, where its copies are'],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          summary,
          tags: ['lending'],
          params: z.object({ [param]: Id(param) }),
          response: { 200: withExample(Json, EXAMPLES[param]) },
        },
      },
      (req, reply) => {
        const value = (req.params as Record<string, string>)[param]!;
        return up.read(reply, LENDING_UPSTREAMS.view, `${upstream}/${encodeURIComponent(value)}`);
      },
    );
  }
}

export const LENDING_GATEWAY: GatewayModule = {
  domain: 'lending',
  summary: 'Request and return books (POST /lending/requests, /lending/returns); loans and copies (SPEC §6)',
  upstreams: Object.values(LENDING_UPSTREAMS),
  entries: [
    { href: '/lending/users/ann', text: 'Books a user holds (here: ann)' },
    { href: '/lending/books/dune', text: 'Who holds a book, where its copies are (here: dune)' },
  ],
  routes: lendingGatewayRoutes,
};

/** Queues through `lending`, then polls `lendingview` (with the write's position) until the request is decided. */
async function queueAndWait(
  up: Upstreams,
  reply: FastifyReply,
  path: string,
  body: unknown,
  timeoutMs: number,
  headers: Record<string, string>,
) {
  const res = await up.client(LENDING_UPSTREAMS.lending).post(path, body, { headers });
  const token = res.headers[POSITION_HEADER];
  if (res.status !== 202 || typeof token !== 'string') {
    const type = res.headers['content-type'];
    if (typeof type === 'string') void reply.type(type);
    return reply.code(res.status).send(res.body.length ? res.body : undefined);
  }
  void reply.header(POSITION_HEADER, token);
  const queued = res.json<{ requestId: string }>();
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; Date.now() < deadline; delay = Math.min(250, delay * 2)) {
    const view = await up
      .client(LENDING_UPSTREAMS.view)
      .get(`/requests/${encodeURIComponent(queued.requestId)}`, {
        headers: { [AFTER_HEADER]: token, [REQUEST_ID_HEADER]: String(reply.request.id) },
      })
      .catch(() => undefined);
    if (view?.status === 200) {
      const request = view.json<{ status: string }>();
      if (request.status !== 'pending') return reply.code(200).send(request);
    }
    await sleep(delay);
  }
  return reply.code(202).send(queued);
}
