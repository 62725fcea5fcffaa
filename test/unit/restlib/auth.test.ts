import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { apiKeyMatcher, bearerToken, parseApiKeys, routeAccess } from '../../../restlib/index.js';

// Count the constant-time comparisons the matcher makes (the real function still does the work).
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const A = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccccccccccc';

describe('API keys (restlib auth)', () => {
  it('parses one key per entry, optionally name:key, skipping blanks and # comments', () => {
    const keys = parseApiKeys(
      ['# keys of the shop', '', `ci:${A}`, `  ${B}  # the docs team`, `ops@x:${C}`],
      'keys.txt',
    );
    expect(keys).toEqual([
      { name: 'ci', key: A },
      { name: 'key-2', key: B },
      { name: 'ops@x', key: C },
    ]);
  });

  it('refuses short, spaced or repeated keys and repeated names, naming the entry but never the key', () => {
    const bad = [
      [['short'], /keys.txt entry 1: a key needs at least 16 characters/],
      [[`ci:${A}`, `ci:${B}`], /entry 2: the name "ci" is used twice/],
      [[A, A], /entry 2: the same key is listed twice/],
      [[`has space ${A}`], /entry 1: a key is letters/],
      [[`bad name:${A}`], /entry 1: the name must be/],
    ] as const;
    for (const [entries, message] of bad) {
      let error: Error | undefined;
      try {
        parseApiKeys(entries, 'keys.txt');
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).toMatch(message);
      expect((error as { code?: string }).code).toBe('REST_ERR_CONFIG_INVALID');
      for (const k of [A, B, 'short']) expect(error?.message).not.toContain(k);
    }
  });

  it('matches through crypto.timingSafeEqual over SHA-256 digests, comparing every key (no early exit)', () => {
    const equal = vi.mocked(crypto.timingSafeEqual);
    const match = apiKeyMatcher([
      { name: 'a', key: A },
      { name: 'b', key: B },
      { name: 'c', key: C },
    ]);
    equal.mockClear();
    expect(match(A)).toBe('a');
    expect(equal).toHaveBeenCalledTimes(3);
    for (const [x, y] of equal.mock.calls) {
      expect((x as Buffer).length).toBe(32);
      expect((y as Buffer).length).toBe(32);
    }
    equal.mockClear();
    expect(match(`${A}x`)).toBeUndefined();
    expect(match('')).toBeUndefined();
    expect(match(C)).toBe('c');
    expect(equal).toHaveBeenCalledTimes(9);
  });

  it('reads Bearer tokens; routes are open for GET, HEAD, OPTIONS and need a credential otherwise', () => {
    expect(bearerToken(`Bearer ${A}`)).toBe(A);
    expect(bearerToken(`bearer   ${A} `)).toBe(A);
    for (const h of [undefined, '', 'Bearer', `Basic ${A}`, `Bearer ${A} ${B}`]) expect(bearerToken(h)).toBeUndefined();
    expect(routeAccess('GET', undefined)).toBe('open');
    expect(routeAccess('HEAD', undefined)).toBe('open');
    expect(routeAccess('POST', undefined)).toBe('write');
    expect(routeAccess('DELETE', undefined)).toBe('write');
    expect(routeAccess('GET', 'admin')).toBe('admin');
    expect(routeAccess('POST', 'session')).toBe('session');
  });
});
