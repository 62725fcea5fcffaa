import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptLimiter } from '../../../gateway/library/loginLimit.js';
import type { RestApp } from '../../../restlib/index.js';
import { waitFor } from '../../helpers/wait.js';
import { browser } from './browser.js';
import { startLibraryApp, type LibraryApp } from './libraryApp.js';

const MINUTE = 60_000;

/** A clock the test moves. */
function testClock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe('attemptLimiter (failures per key in a sliding window, injected clock)', () => {
  it('blocks a key after its failures in the window, tells when to retry, forgets on success and with time', () => {
    const t = testClock();
    const limiter = attemptLimiter({ attempts: 5, windowMs: 15 * MINUTE, clock: t.clock });
    for (let i = 0; i < 5; i++) {
      expect(limiter.blocked('L-1')).toBeUndefined();
      limiter.failed('L-1');
      t.advance(MINUTE);
    }
    expect(limiter.blocked('L-1')).toEqual({ retryAfterS: 10 * 60 });
    expect(limiter.blocked('L-2')).toBeUndefined();
    t.advance(10 * MINUTE);
    // The first failure left the window: one more attempt is allowed.
    expect(limiter.blocked('L-1')).toBeUndefined();
    limiter.failed('L-1');
    expect(limiter.blocked('L-1')?.retryAfterS).toBe(60);
    limiter.succeeded('L-1');
    expect(limiter.blocked('L-1')).toBeUndefined();
  });

  it('remembers at most maxKeys keys (the oldest go first)', () => {
    const t = testClock();
    const limiter = attemptLimiter({ attempts: 1, windowMs: MINUTE, clock: t.clock, maxKeys: 2 });
    for (const k of ['a', 'b', 'c']) limiter.failed(k);
    expect(limiter.blocked('a')).toBeUndefined();
    expect(limiter.blocked('b')).toBeDefined();
    expect(limiter.blocked('c')).toBeDefined();
  });
});

describe('the library login is limited per library card, not per client address', () => {
  let lib: LibraryApp;
  let app: RestApp;
  const t = testClock();

  beforeAll(async () => {
    lib = await startLibraryApp();
    app = await lib.gateway({ clock: t.clock });
    await waitFor(
      async () => (await app.inject({ url: '/library/api/patrons' })).json<{ patrons?: unknown[] }>().patrons?.length,
      { what: 'the demo patrons', timeoutMs: 10_000 },
    );
  });
  afterAll(async () => {
    await lib.close();
  });

  const login = (firstName: string, lastName: string, libraryId: string) =>
    browser(app).login({ firstName, lastName, libraryId });

  it('5 failures with one card -> 429 with Retry-After, even with the right names; another card logs in; after 15 minutes it may again', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login('Ada', `Wrong${i}`, 'L-1001')).statusCode).toBe(401);
      t.advance(MINUTE);
    }
    const blocked = await login('Ada', 'Lovelace', 'L-1001');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe(String(10 * 60));
    expect(blocked.headers['content-type']).toMatch(/text\/html/);
    expect(blocked.body).toMatch(
      /role="alert"[\s\S]*Too many failed logins with library ID L-1001. Try again in 10 minutes./,
    );
    // Another card, from the same address, is not affected.
    expect((await login('Alan', 'Turing', 'L-1002')).statusCode).toBe(303);
    t.advance(10 * MINUTE);
    expect((await login('Ada', 'Lovelace', 'L-1001')).statusCode).toBe(303);
  });

  it('a successful login resets the count of its card', async () => {
    for (let i = 0; i < 4; i++) expect((await login('Grace', 'Wrong', 'L-1003')).statusCode).toBe(401);
    expect((await login('Grace', 'Hopper', 'L-1003')).statusCode).toBe(303);
    for (let i = 0; i < 4; i++) expect((await login('Grace', 'Wrong', 'L-1003')).statusCode).toBe(401);
    expect((await login('Grace', 'Hopper', 'L-1003')).statusCode).toBe(303);
  });

  it('a card that does not exist is limited too (guessing cards costs attempts as well)', async () => {
    for (let i = 0; i < 5; i++) expect((await login('X', 'Y', 'L-9999')).statusCode).toBe(401);
    expect((await login('X', 'Y', 'L-9999')).statusCode).toBe(429);
  });
});
