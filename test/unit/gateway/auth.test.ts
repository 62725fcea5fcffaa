import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../../eventlib/index.js';
import { createRegistry } from '../../../discolib/index.js';
import { BOOKSHELF_GATEWAY } from '../../../gateway/bookshelfRoutes.js';
import { ORDERS_GATEWAY } from '../../../gateway/ordersRoutes.js';
import { gatewaySecurity, gatewayService, type GatewaySecurity } from '../../../gateway/service.js';
import type { PlatformDeps } from '../../../platform/index.js';
import { buildServer, createLogger, type RestApp } from '../../../restlib/index.js';
import { waitFor } from '../../helpers/wait.js';
import { browser } from '../library/browser.js';
import { startLibraryApp, type LibraryApp } from '../library/libraryApp.js';

const KEY = 'k3y-0f-the-ci-j0b-8c1f0e2a9b7d';
const OTHER = 'an0ther-key-for-the-docs-team-42';
const JWT_SECRET = 'a-shared-hmac-secret-of-the-identity-provider-0123';
const PROBLEM = /application\/problem\+json/;

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
/** A HS256 JWT, made by hand (what an identity provider would issue). */
function hs256(payload: object, secret = JWT_SECRET): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
const claims = (extra: object = {}) => ({
  sub: 'svc-42',
  iss: 'https://id.example',
  aud: 'bookshelf',
  iat: now(),
  exp: now() + 300,
  ...extra,
});

interface Problem {
  code: string;
  status: number;
  detail: string;
}

describe('gateway API keys and JWTs (issue 17, point 1)', () => {
  const apps: RestApp[] = [];
  const stops: (() => Promise<void>)[] = [];
  let lines: string[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await Promise.all(stops.splice(0).map((s) => s()));
    lines = [];
  });

  /** A gateway of the bookshelf and orders routes with no service behind it: past the auth check, 503. */
  const gateway = async (security: GatewaySecurity) => {
    const log = pino({ level: 'silent' });
    const deps: PlatformDeps = {
      bus: await createEventBus({ kind: 'memory' }),
      registry: createRegistry({ kind: 'memory' }, log),
      log,
      clock: () => new Date(),
    };
    const component = gatewayService(deps, {
      identity: { name: 'gateway', id: 'gw-auth', tags: [] },
      modules: [BOOKSHELF_GATEWAY, ORDERS_GATEWAY],
      security,
    });
    const app = await buildServer({
      name: 'gateway',
      logLevel: 'trace',
      logStream: { write: (line: string) => void lines.push(line) },
      metrics: false,
    });
    await component.routes(app);
    await app.ready();
    apps.push(app);
    stops.push(async () => {
      await component.stop();
      await deps.bus.close();
      await deps.registry.close();
    });
    return app;
  };
  const withKeys = () =>
    gateway(
      gatewaySecurity({
        apiKeys: [
          { name: 'ci', key: KEY },
          { name: 'docs', key: OTHER },
        ],
        apiKeysFrom: ['test'],
      }),
    );
  const addBook = (app: RestApp, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/bookshelf/books', payload: { title: 'Dune', author: 'F. H.' }, headers });

  it('a write without a key, or with a wrong one, is 401 problem+json with WWW-Authenticate; with a key it goes through', async () => {
    const app = await withKeys();
    const none = await addBook(app);
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(PROBLEM);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="bookshelf"');
    expect(none.json<Problem>()).toMatchObject({ code: 'REST_ERR_UNAUTHENTICATED', status: 401 });
    expect(none.json<Problem>().detail).toContain('Authorization: Bearer');
    for (const authorization of [`Bearer ${KEY}x`, 'Bearer not-a-key-at-all-000000', `Basic ${KEY}`, KEY, 'Bearer']) {
      const res = await addBook(app, { authorization });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json<Problem>().code).toBe('REST_ERR_UNAUTHENTICATED');
    }
    expect((await addBook(app, { authorization: `Bearer ${KEY}x` })).headers['www-authenticate']).toBe(
      'Bearer realm="bookshelf", error="invalid_token"',
    );
    for (const key of [KEY, OTHER]) {
      const ok = await addBook(app, { authorization: `Bearer ${key}` });
      // Past the check: no bookshelf service is running behind this gateway.
      expect(ok.statusCode).toBe(503);
      expect(ok.json<Problem>().code).toBe('REST_ERR_NO_INSTANCE');
    }
    expect((await addBook(app, { authorization: `bearer  ${KEY}` })).statusCode).toBe(503);
  });

  it('reads stay open; PUT, DELETE and admin routes need a key; an unknown route is still 404', async () => {
    const app = await withKeys();
    expect((await app.inject({ url: '/bookshelf/books' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/report' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    // Bodies the gateway's own validation takes (it checks orders bodies before forwarding them).
    const customer = { name: 'Ann', email: 'ann@example.com' };
    for (const [method, url, payload] of [
      ['PUT', '/customer/1', { name: 'Ann' }],
      ['DELETE', '/customer/1', {}],
      ['POST', '/customers', customer],
      ['POST', '/order', { customer_id: '1', product_ids: ['2'] }],
      ['POST', '/init-data', {}],
      ['POST', '/bookshelf/books/b1/finished', {}],
    ] as const) {
      expect((await app.inject({ method, url, payload })).statusCode, `${method} ${url}`).toBe(401);
      const ok = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${KEY}` } });
      expect(ok.statusCode, `${method} ${url}`).toBe(503);
    }
    expect((await app.inject({ method: 'POST', url: '/no/such/route' })).statusCode).toBe(404);
  });

  it('without keys (the default of bookshelf start) every write is open and the OpenAPI document names no scheme', async () => {
    const app = await gateway(gatewaySecurity());
    expect((await addBook(app)).statusCode).toBe(503);
    const doc = (await app.inject({ url: '/docs/json' })).json<{
      components: Record<string, unknown>;
      paths: Record<string, Record<string, { security?: unknown }>>;
    }>();
    expect(doc.components.securitySchemes).toBeUndefined();
    expect(doc.paths['/bookshelf/books']!.post!.security).toBeUndefined();
  });

  it('OpenAPI: a bearer scheme in components, security on the protected operations only', async () => {
    const app = await withKeys();
    const doc = (await app.inject({ url: '/docs/json' })).json<{
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, { security?: unknown }>>;
    }>();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const bearer = [{ bearerAuth: [] }];
    expect(doc.paths['/bookshelf/books']!.post!.security).toEqual(bearer);
    expect(doc.paths['/bookshelf/books/{id}/finished']!.post!.security).toEqual(bearer);
    expect(doc.paths['/customer/{id}']!.put!.security).toEqual(bearer);
    expect(doc.paths['/customer/{id}']!.delete!.security).toEqual(bearer);
    expect(doc.paths['/init-data']!.post!.security).toEqual(bearer);
    expect(doc.paths['/bookshelf/books']!.get!.security).toBeUndefined();
    expect(doc.paths['/customer/{id}']!.get!.security).toBeUndefined();
  });

  it('keys never reach the log (wrong or right); the name of the key that was used does', async () => {
    const app = await withKeys();
    await addBook(app, { authorization: `Bearer ${KEY}` });
    await addBook(app, { authorization: `Bearer ${KEY}-wrong` });
    await addBook(app, { authorization: `Bearer ${OTHER}` });
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(log).not.toContain(KEY);
    expect(log).not.toContain(OTHER);
    expect(log).toContain('"principal":"ci"');
    expect(log).toContain('"principal":"docs"');
    // Whatever logs a request's headers gets them redacted (restlib's logger).
    const out: string[] = [];
    const logger = createLogger({ name: 't', stream: { write: (l: string) => void out.push(l) } });
    logger.info({ req: { headers: { authorization: `Bearer ${KEY}` } } }, 'headers');
    logger.info({ headers: { authorization: `Bearer ${KEY}` } }, 'headers');
    expect(out.join('')).not.toContain(KEY);
    expect(out.join('')).toContain('[redacted]');
  });

  describe('JWT (@fastify/jwt), as an alternative to a key', () => {
    const jwtGateway = () =>
      gateway(
        gatewaySecurity({
          apiKeys: [{ name: 'ci', key: KEY }],
          jwt: { secret: Buffer.from(JWT_SECRET), issuer: ['https://id.example'], audience: ['bookshelf'] },
        }),
      );

    it('valid -> through; expired, wrong issuer, wrong audience, wrong signature -> 401', async () => {
      const app = await jwtGateway();
      expect((await addBook(app, { authorization: `Bearer ${hs256(claims())}` })).statusCode).toBe(503);
      expect((await addBook(app, { authorization: `Bearer ${KEY}` })).statusCode).toBe(503);
      const refused = {
        'the token has expired': hs256(claims({ iat: now() - 600, exp: now() - 60 })),
        'the token is not for this gateway (issuer or audience)': hs256(claims({ iss: 'https://evil.example' })),
        'not for this gateway': hs256(claims({ aud: 'another-api' })),
        'the token is not valid': hs256(claims(), 'another-secret-of-another-provider-000'),
        'lacks a claim': hs256({ ...claims(), iss: undefined }),
        'lacks a claim this gateway needs': hs256({ ...claims(), exp: undefined }),
      };
      for (const [detail, token] of Object.entries(refused)) {
        const res = await addBook(app, { authorization: `Bearer ${token}` });
        expect(res.statusCode, detail).toBe(401);
        expect(res.json<Problem>().code).toBe('REST_ERR_UNAUTHENTICATED');
        expect(res.json<Problem>().detail).toContain(detail);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      }
      const log = lines.join('');
      for (const token of Object.values(refused)) expect(log).not.toContain(token);
    });

    it('an admin route needs the bookshelf:admin scope: without it 403 problem+json', async () => {
      const app = await jwtGateway();
      const initData = (token: string) =>
        app.inject({ method: 'POST', url: '/init-data', headers: { authorization: `Bearer ${token}` } });
      const res = await initData(hs256(claims({ scope: 'bookshelf:write' })));
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.json<Problem>().code).toBe('REST_ERR_FORBIDDEN');
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect((await initData(hs256(claims({ scope: 'openid bookshelf:admin' })))).statusCode).toBe(503);
      expect((await initData(hs256(claims({ scp: ['bookshelf:admin'] })))).statusCode).toBe(503);
      // A write route takes any valid token.
      expect((await addBook(app, { authorization: `Bearer ${hs256(claims())}` })).statusCode).toBe(503);
    });

    it('a public key (ES256) verifies tokens signed by its private key', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const app = await gateway(
        gatewaySecurity({ jwt: { publicKey: Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })) } }),
      );
      const head = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(claims())}`;
      const sig = sign('sha256', Buffer.from(head), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect((await addBook(app, { authorization: `Bearer ${head}.${sig.toString('base64url')}` })).statusCode).toBe(
        503,
      );
      expect((await addBook(app, { authorization: `Bearer ${hs256(claims())}` })).statusCode).toBe(401);
    });
  });
});

describe('the library with API keys on: pages keep working, the JSON API needs a key', () => {
  let lib: LibraryApp;
  let app: RestApp;
  beforeAll(async () => {
    lib = await startLibraryApp();
    app = await lib.gateway({ security: gatewaySecurity({ apiKeys: [{ name: 'ci', key: KEY }] }) });
    await waitFor(
      async () => (await lib.app.inject({ url: '/library/api/books' })).json<{ books?: unknown[] }>().books?.length,
      { what: 'the demo catalog', timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await lib.close();
  });

  it('login, borrow and admin reset work with a session (no key in the browser); patrons and writes need a key', async () => {
    const b = browser(app);
    expect((await b.login({ firstName: 'Ada', lastName: 'Lovelace', libraryId: 'L-1001' })).statusCode).toBe(303);
    expect((await b.post('/library/borrow', { book: 'emma' }, { from: '/library/catalog' })).statusCode).toBe(303);
    expect((await b.get('/library/my-books')).body).toContain('You borrowed “Emma”');
    const melvil = browser(app);
    await melvil.login({ firstName: 'Melvil', lastName: 'Dewey', libraryId: 'LIB-0001' });
    expect((await melvil.post('/library/admin/reset', {}, { from: '/library/admin' })).statusCode).toBe(303);
    expect((await melvil.get('/library/admin')).body).toContain('Every loan was returned');

    expect((await app.inject({ url: '/library/api/books' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/library/api/patrons' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/library/api/patrons/L-1001' })).statusCode).toBe(401);
    const patrons = await app.inject({ url: '/library/api/patrons', headers: { authorization: `Bearer ${KEY}` } });
    expect(patrons.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/library/api/load-demo' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/lending/requests', payload: {} })).statusCode).toBe(401);
  });
});
