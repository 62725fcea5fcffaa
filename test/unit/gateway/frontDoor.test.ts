import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../discolib/index.js';
import { createEventBus } from '../../../eventlib/index.js';
import { buildServer, type RestApp } from '../../../restlib/index.js';
import type { PlatformDeps, ServiceComponent } from '../../../platform/index.js';
import { gatewayModules, gatewayService } from '../../../gateway/service.js';
import { wantsHtml } from '../../../gateway/frontDoor.js';
import { banner } from '../../../cli/commands/platform.js';
import { gatewaySecurity } from '../../../gateway/service.js';
import { GATEWAY_SERVICE } from '../../../cli/services/gateway.js';
import { loadPlatformConfig } from '../../../platform/index.js';
import { DEMO_PATRONS, findPatron } from '../../../aggregates/library/contract.js';
import { LIBRARY_DEMO_LOGINS } from '../../../gateway/library/routes.js';

const log = pino({ level: 'silent' });

type FrontDoorJson = { domains: { domain: string; links: { href: string; needs?: string }[] }[] };

const gatewayApp = async (
  modules = gatewayModules(['bookshelf', 'orders', 'lending', 'library']),
  security = gatewaySecurity(),
) => {
  const deps: PlatformDeps = {
    bus: await createEventBus({ kind: 'memory' }),
    registry: createRegistry({ kind: 'memory', health: 'passing' }, log),
    log,
    clock: () => new Date(),
  };
  const component: ServiceComponent = gatewayService(deps, {
    identity: { name: 'gateway', id: 'gw', tags: [] },
    modules,
    security,
  });
  const app = await buildServer({ name: 'gateway', logger: log });
  await component.routes(app);
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await component.stop();
      await deps.registry.close();
      await deps.bus.close();
    },
  };
};

/** Issue 21, point 9: `GET /` on the gateway is a front door, not a 404. */
describe('the gateway front door (GET /)', () => {
  let app: RestApp;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ app, close } = await gatewayApp());
  });
  afterAll(() => close());

  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('a browser gets an HTML page linking the docs, the library web app and every domain, with the page headers', async () => {
    const res = await app.inject({ url: '/', headers: { accept: BROWSER } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers.vary).toContain('accept');
    const hrefs = [...res.body.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '/docs',
        '/library/',
        '/bookshelf/books',
        '/bookshelf/books/last/read',
        '/report',
        '/customers',
        '/orders/unbilled',
        '/lending/users/ann',
        '/library/api/books',
        '/ready',
      ]),
    );
    expect(res.body).toContain('Ada Lovelace, library ID L-1001');
    expect(res.body).toMatch(/^<!doctype html>/);
  });

  it('every link it shows is a route of this gateway (none answers 404)', async () => {
    const res = await app.inject({ url: '/', headers: { accept: BROWSER } });
    const hrefs = [...res.body.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
    const statuses = await Promise.all(
      hrefs.map(async (url) => ({ url, status: (await app.inject({ url })).statusCode })),
    );
    // No upstream is running here: forwarded routes answer 503, which still shows the route exists.
    expect(statuses.filter((s) => s.status === 404)).toEqual([]);
  });

  it('curl and API clients get a small JSON index', async () => {
    for (const headers of [{}, { accept: '*/*' }, { accept: 'application/json' }, { accept: 'text/html;q=0, */*' }]) {
      const res = await app.inject({ url: '/', headers });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json<{ docs: string; domains: { domain: string; links: { href: string }[] }[] }>();
      expect(body.docs).toBe('/docs');
      expect(body.domains.map((d) => d.domain)).toEqual(['bookshelf', 'orders', 'lending', 'library']);
      expect(body.domains.find((d) => d.domain === 'library')?.links.map((l) => l.href)).toContain('/library/');
    }
  });

  it('is hidden from the OpenAPI document, like the library pages', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).not.toContain('/');
    expect(Object.keys(doc.paths)).not.toContain('/library/catalog');
    expect(Object.keys(doc.paths)).toContain('/bookshelf/books');
  });

  it('lists only the domains this gateway routes (bookshelf gateway --domains bookshelf)', async () => {
    const one = await gatewayApp(gatewayModules(['bookshelf']));
    try {
      const res = await one.app.inject({ url: '/' });
      expect(res.json<{ domains: { domain: string }[] }>().domains.map((d) => d.domain)).toEqual(['bookshelf']);
      const page = await one.app.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(page.body).not.toContain('/library/');
    } finally {
      await one.close();
    }
  });

  it('with API keys on, an admin entry is no link: it shows the request and the header it needs', async () => {
    const secured = await gatewayApp(undefined, gatewaySecurity({ apiKeys: [{ name: 'ci', key: 'k'.repeat(32) }] }));
    try {
      const page = await secured.app.inject({ url: '/', headers: { accept: BROWSER } });
      const hrefs = [...page.body.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
      expect(hrefs).not.toContain('/library/api/patrons');
      expect(page.body).toContain(
        '<code>GET /library/api/patrons</code> with <code>Authorization: Bearer &lt;key&gt;</code>',
      );
      // Every link a browser can follow answers without a key (forwarded ones 503 here: no upstream runs).
      const statuses = await Promise.all(hrefs.map(async (url) => (await secured.app.inject({ url })).statusCode));
      expect(statuses.filter((s) => s === 401 || s === 403 || s === 404)).toEqual([]);
      const json = (await secured.app.inject({ url: '/' })).json<FrontDoorJson>();
      const library = json.domains.find((d) => d.domain === 'library')!.links;
      expect(library.find((l) => l.href === '/library/api/patrons')).toMatchObject({
        needs: 'Authorization: Bearer <key>',
      });
      expect((await secured.app.inject({ url: '/library/api/patrons' })).statusCode).toBe(401);
    } finally {
      await secured.close();
    }
  });

  it('open (the default), the same entry is a plain link', async () => {
    const json = (await app.inject({ url: '/' })).json<FrontDoorJson>();
    const patrons = json.domains.flatMap((d) => d.links).find((l) => l.href === '/library/api/patrons');
    expect(patrons).toEqual({ href: '/library/api/patrons', text: 'The registered patrons (JSON)' });
  });

  it('wantsHtml reads the Accept header', () => {
    expect(wantsHtml(BROWSER)).toBe(true);
    expect(wantsHtml('TEXT/HTML')).toBe(true);
    expect(wantsHtml(undefined)).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml('text/html;q=0')).toBe(false);
    expect(wantsHtml('application/json, text/html;q=0.1')).toBe(true);
  });
});

describe('gatewayModules (--domains)', () => {
  it('keeps the default order and brings lending with library; an unknown name is refused', () => {
    expect(gatewayModules(['library', 'bookshelf']).map((m) => m.domain)).toEqual(['bookshelf', 'lending', 'library']);
    expect(() => gatewayModules(['shop'])).toThrow(/unknown gateway domain "shop" \(known: bookshelf, orders/);
  });

  it('bookshelf gateway --domains: all by default, from flags or env (commas), unknown ones refused', () => {
    const load = (argv: string[], env: Record<string, string> = {}) =>
      loadPlatformConfig(GATEWAY_SERVICE.spec, { argv, env });
    const domains = (r: ReturnType<typeof load>) => (r.kind === 'config' ? r.config.domains : r.kind);
    expect(domains(load([]))).toEqual(['bookshelf', 'orders', 'lending', 'library']);
    expect(domains(load(['--domains', 'bookshelf', 'orders']))).toEqual(['bookshelf', 'orders']);
    expect(domains(load([], { BOOKSHELF_GATEWAY_DOMAINS: 'lending,library' }))).toEqual(['lending', 'library']);
    const bad = load(['--domains', 'bookshelf', 'shop']);
    expect(bad.kind === 'error' && bad.error.message).toMatch(/--domains.*must be bookshelf, orders, lending, library/);
  });
});

describe('the start-up banner', () => {
  const urls = new Map([
    ['newbook', 'http://127.0.0.1:41001'],
    ['gateway', 'http://127.0.0.1:8000'],
  ]);

  it('names the front door, the library web app and its demo logins (what the login page accepts)', () => {
    const text = banner(urls, 'embedded', gatewaySecurity());
    expect(text).toContain('Front door:  http://127.0.0.1:8000/\n');
    expect(text).toContain('Library app: http://127.0.0.1:8000/library/');
    expect(text).toContain('log in as Ada Lovelace, library ID L-1001');
    expect(text).toContain('librarian: Melvil Dewey, library ID LIB-0001');
    expect(text).toContain('http://127.0.0.1:8000/docs');
    const { patron } = LIBRARY_DEMO_LOGINS;
    expect(findPatron(new Map(DEMO_PATRONS.map((p) => [p.libraryId, p])), patron)?.role).toBe('patron');
    expect(text.split('\n')[0]).toBe('Bookshelf is running (embedded: in-memory bus and registry).');
  });

  it('says whether writes need an API key and how long library logins last; with keys, the examples carry one', () => {
    const open = banner(urls, 'embedded', gatewaySecurity());
    expect(open).toContain('\nAPI keys: off (every write is open; --api-keys-file to require them)\n');
    expect(open).toContain('\nSessions: a key made at start: library logins end at restart');
    expect(open).not.toContain('authorization');
    const key = 'k3y-0f-the-ci-j0b-8c1f0e2a9b7d';
    const secured = banner(
      urls,
      'real',
      gatewaySecurity({ apiKeys: [{ name: 'ci', key }], apiKeysFrom: ['--api-keys-file keys.txt'] }),
    );
    expect(secured).toContain('\nAPI keys: on (1 key from --api-keys-file keys.txt): writes and admin routes need');
    expect(secured).toContain('Try (with one of your keys in $KEY):');
    expect(secured).toContain(`curl -s -XPOST http://127.0.0.1:8000/bookshelf/books -H "authorization: Bearer $KEY"`);
    expect(secured).not.toContain(key);
  });
});
