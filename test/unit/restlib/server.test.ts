import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildServer, markNotReady, problem, type RestApp, type ServerOptions } from '../../../restlib/index.js';

const PROBLEM = 'application/problem+json';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: { path: string; message: string }[];
}
interface SchemaObject {
  type?: string;
  required?: string[];
  properties: Record<string, SchemaObject>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string };
  paths: Record<
    string,
    Record<
      string,
      { parameters?: { name: string }[]; requestBody?: { content: Record<string, { schema: SchemaObject }> } }
    >
  >;
}

describe('restlib buildServer', () => {
  const apps: RestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  const make = async (opts: Partial<ServerOptions> = {}) => {
    const app = await buildServer({ name: 'books', logLevel: 'silent', ...opts });
    apps.push(app);
    app.post(
      '/books',
      {
        schema: {
          summary: 'add a book',
          body: z.object({
            title: z.string().min(1),
            author: z.string(),
            pages: z.number().int().positive().optional(),
          }),
          response: { 201: z.object({ id: z.string(), title: z.string() }) },
        },
      },
      async (req, reply) => reply.status(201).send({ id: 'b1', title: req.body.title }),
    );
    app.get(
      '/books/:id',
      {
        schema: {
          params: z.object({ id: z.string().regex(/^b\d+$/) }),
          querystring: z.object({ limit: z.coerce.number().int().max(10).default(5) }),
        },
      },
      async (req) => {
        if (req.params.id === 'b404') throw problem(404, 'BOOK_ERR_NOT_FOUND', `no book ${req.params.id}`);
        if (req.params.id === 'b500') throw new Error('database row 17 is corrupt');
        return { id: req.params.id, limit: req.query.limit };
      },
    );
    return app;
  };
  it('answers a path that exists with another method 405 with Allow (problem+json), an unknown path 404', async () => {
    const app = await make();
    const wrong = await app.inject({ method: 'PUT', url: '/books/b1' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    expect(wrong.json()).toMatchObject({ code: 'REST_ERR_METHOD_NOT_ALLOWED', status: 405 });
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    const probe = await app.inject({ method: 'DELETE', url: '/health' });
    expect(probe.statusCode).toBe(405);
    expect(probe.headers.allow).toContain('GET');
    expect((await app.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PUT', url: '/books/b1/pages' })).statusCode).toBe(404);
  });

  it('answers a valid request', async () => {
    const app = await make();
    const res = await app.inject({ method: 'POST', url: '/books', payload: { title: 'Dune', author: 'Herbert' } });
    expect(res.statusCode).toBe(201);
    expect(res.json<unknown>()).toEqual({ id: 'b1', title: 'Dune' });
    const get = await app.inject({ method: 'GET', url: '/books/b1?limit=3' });
    expect(get.json<unknown>()).toEqual({ id: 'b1', limit: 3 });
  });

  it('a body that fails its schema -> 400 problem+json naming the field', async () => {
    const app = await make();
    const res = await app.inject({ method: 'POST', url: '/books', payload: { title: 'Dune', author: 42 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    const body = res.json<Problem>();
    expect(body).toMatchObject({
      status: 400,
      code: 'REST_ERR_VALIDATION',
      title: 'Invalid request',
      instance: '/books',
    });
    expect(body.type).toContain('REST_ERR_VALIDATION');
    expect(body.detail).toContain('body.author');
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toBe('body.author');
    expect(body.errors![0]!.message).toMatch(/string/);
  });

  it('params and querystrings are validated too', async () => {
    const app = await make();
    const params = await app.inject({ method: 'GET', url: '/books/nope' });
    expect(params.statusCode).toBe(400);
    expect(params.json<Problem>().errors![0]!.path).toBe('params.id');
    const query = await app.inject({ method: 'GET', url: '/books/b1?limit=99' });
    expect(query.statusCode).toBe(400);
    expect(query.json<Problem>().errors![0]!.path).toBe('querystring.limit');
  });

  it('an unknown route -> 404 problem+json', async () => {
    const app = await make();
    const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json<Problem>()).toMatchObject({
      code: 'REST_ERR_NOT_FOUND',
      status: 404,
      detail: 'no route for GET /nowhere',
    });
  });

  it('a body over the limit -> 413 problem+json', async () => {
    const app = await make({ bodyLimit: 100 });
    const res = await app.inject({ method: 'POST', url: '/books', payload: { title: 'x'.repeat(200), author: 'a' } });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json<Problem>()).toMatchObject({ code: 'REST_ERR_BODY_TOO_LARGE', status: 413 });
  });

  it('the default body limit is 1 MiB', async () => {
    const app = await make();
    const big = { title: 'x'.repeat(1024 * 1024), author: 'a' };
    expect((await app.inject({ method: 'POST', url: '/books', payload: big })).statusCode).toBe(413);
    const fits = { title: 'x'.repeat(1000 * 1000), author: 'a' };
    expect((await app.inject({ method: 'POST', url: '/books', payload: fits })).statusCode).toBe(201);
  });

  it('malformed JSON -> 400 REST_ERR_BAD_JSON; empty JSON body too', async () => {
    const app = await make();
    const headers = { 'content-type': 'application/json' };
    const res = await app.inject({ method: 'POST', url: '/books', headers, payload: '{"title": ' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json<Problem>()).toMatchObject({ code: 'REST_ERR_BAD_JSON', status: 400 });
    const empty = await app.inject({ method: 'POST', url: '/books', headers, payload: '' });
    expect(empty.json<Problem>()).toMatchObject({ code: 'REST_ERR_BAD_JSON', status: 400 });
  });

  it('an unsupported content-type -> 415', async () => {
    const app = await make();
    const res = await app.inject({
      method: 'POST',
      url: '/books',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json<Problem>().code).toBe('REST_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('problem() thrown by a route keeps its status and code', async () => {
    const app = await make();
    const res = await app.inject({ method: 'GET', url: '/books/b404' });
    expect(res.statusCode).toBe(404);
    expect(res.json<Problem>()).toMatchObject({ code: 'BOOK_ERR_NOT_FOUND', detail: 'no book b404', status: 404 });
  });

  it('an unexpected error -> 500 REST_ERR_INTERNAL without message or stack', async () => {
    const app = await make();
    const res = await app.inject({ method: 'GET', url: '/books/b500' });
    expect(res.statusCode).toBe(500);
    expect(res.json<Problem>()).toMatchObject({ code: 'REST_ERR_INTERNAL', status: 500 });
    expect(res.body).not.toContain('row 17');
    expect(res.body).not.toContain('at ');
    expect(res.body).not.toContain('stack');
  });

  it('request ids: generated, or taken from x-request-id, echoed and put in the problem', async () => {
    const app = await make();
    const generated = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.json<Problem>().requestId).toBe(generated.headers['x-request-id']);
    const given = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const hostile = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\u0000' } });
    expect(hostile.headers['x-request-id']).not.toBe('a b\u0000');
  });

  it('GET /health answers 200 always; GET /ready follows the readiness check', async () => {
    let state: { ready: boolean; checks?: Record<string, unknown> } = { ready: false, checks: { bus: 'connecting' } };
    const app = await make({ readiness: async () => state });
    expect((await app.inject({ method: 'GET', url: '/health' })).json<unknown>()).toEqual({ status: 'ok' });
    const notReady = await app.inject({ method: 'GET', url: '/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.headers['content-type']).toContain(PROBLEM);
    expect(notReady.json<Problem>()).toMatchObject({ code: 'REST_ERR_UNAVAILABLE', checks: { bus: 'connecting' } });
    state = { ready: true, checks: { bus: 'connected' } };
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json<unknown>()).toEqual({ status: 'ready', checks: { bus: 'connected' } });
  });

  it('/ready answers 503 when the check throws or hangs, and once shutdown started', async () => {
    let mode: 'throw' | 'hang' | 'ok' = 'throw';
    const app = await make({
      readinessTimeoutMs: 50,
      readiness: () => {
        if (mode === 'throw') throw new Error('bus down');
        if (mode === 'hang') return new Promise(() => undefined);
        return { ready: true };
      },
    });
    const thrown = await app.inject({ method: 'GET', url: '/ready' });
    expect(thrown.statusCode).toBe(503);
    expect(thrown.json<Problem>().detail).toContain('bus down');
    mode = 'hang';
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    mode = 'ok';
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    markNotReady(app);
    const closing = await app.inject({ method: 'GET', url: '/ready' });
    expect(closing.statusCode).toBe(503);
    expect(closing.json<Problem>().detail).toBe('shutting down');
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('/docs serves an OpenAPI document listing every route, built from the zod schemas', async () => {
    const app = await make();
    app.delete('/books/:id', { schema: { params: z.object({ id: z.string() }) } }, async (_req, reply) =>
      reply.status(204).send(),
    );
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiDocument>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('books');
    expect(Object.keys(doc.paths).sort()).toEqual(['/books', '/books/{id}', '/health', '/ready']);
    expect(Object.keys(doc.paths['/books/{id}']!).sort()).toEqual(['delete', 'get']);
    const body = doc.paths['/books']!.post!.requestBody!.content['application/json']!.schema;
    expect(body.required).toEqual(['title', 'author']);
    expect(body.properties.pages!.type).toBe('integer');
    expect(doc.paths['/books/{id}']!.get!.parameters!.map((p) => p.name).sort()).toEqual(['id', 'limit']);
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBeLessThan(400);
    const page = ui.statusCode >= 300 ? await app.inject({ method: 'GET', url: ui.headers.location as string }) : ui;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('logs carry the request id and never secrets', async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const app = await make({ logLevel: 'info', logStream });
    app.get('/secret', async (req) => {
      req.log.info(
        { headers: req.headers, password: 'hunter2', user: { token: 'tok-1', sasl: { password: 'p' } } },
        'handling',
      );
      return { ok: true };
    });
    await app.inject({
      method: 'GET',
      url: '/secret',
      headers: { authorization: 'Bearer s3cr3t', cookie: 'sid=xyz', 'x-request-id': 'rid-1' },
    });
    await app.inject({ method: 'GET', url: '/books/b500', headers: { 'x-request-id': 'rid-2' } });
    await app.inject({ method: 'GET', url: '/ready' });
    const all = lines.join('\n');
    expect(all).not.toMatch(/hunter2|s3cr3t|sid=xyz|tok-1/);
    const handling = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'handling');
    expect(handling).toMatchObject({ reqId: 'rid-1', service: 'books', password: '[redacted]' });
    const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ reqId: 'rid-2', code: 'REST_ERR_INTERNAL' });
    // probes are not request-logged (Consul asks every few seconds)
    expect(all).not.toContain('/ready');
  });

  it('rejects bad options with a clear message', async () => {
    await expect(buildServer({ name: '' })).rejects.toThrow(/name/);
    await expect(buildServer({ name: 'x', bodyLimit: -1 })).rejects.toThrow(/bodyLimit/);
  });
});
