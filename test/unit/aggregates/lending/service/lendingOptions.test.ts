import { describe, expect, it } from 'vitest';
import { connectTimeoutOf, transportOf } from '../../../../../cli/commands/lendingOptions.js';

describe('the connection flags of bookshelf lending-worker and bookshelf books', () => {
  it('picks Kafka with --broker and Redis with -a, like the seed', () => {
    const connectTimeoutMs = 10_000;
    expect(transportOf({ broker: 'k1:9092,k2:9092' }, {})).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      connectTimeoutMs,
    });
    expect(transportOf({ address: 'r:6380', db: '2', password: 'pw', tls: true }, {})).toEqual({
      kind: 'redis',
      redis: { url: 'rediss://r:6380', db: 2, password: 'pw', tls: true },
      connectTimeoutMs,
    });
    expect(transportOf({}, {})).toEqual({ kind: 'redis', redis: { url: 'redis://127.0.0.1:6379' }, connectTimeoutMs });
    expect(transportOf({}, { BOOKSHELF_BROKER: 'k:9092' })).toEqual({
      kind: 'kafka',
      brokers: ['k:9092'],
      connectTimeoutMs,
    });
  });

  it('rejects bad values and two transports in one line each', () => {
    expect(() => transportOf({ broker: 'nope' }, {})).toThrow(/--broker must be host:port/);
    expect(() => transportOf({ address: 'r:1', broker: 'k:1' }, {})).toThrow(/choose one transport/);
    expect(() => transportOf({ address: 'r:1', db: '-1' }, {})).toThrow(/--db/);
  });

  it('--connect-timeout, else BOOKSHELF_CONNECT_TIMEOUT_MS, else 10000 ms; anything else is one clear line', () => {
    expect(connectTimeoutOf({}, {})).toBe(10_000);
    expect(connectTimeoutOf({}, { BOOKSHELF_CONNECT_TIMEOUT_MS: '2500' })).toBe(2500);
    expect(connectTimeoutOf({ connectTimeout: '2000' }, { BOOKSHELF_CONNECT_TIMEOUT_MS: '2500' })).toBe(2000);
    expect(transportOf({ broker: 'k:9092', connectTimeout: '3000' }, {}).connectTimeoutMs).toBe(3000);
    for (const bad of ['0', '99', '1.5', 'soon', '600001']) {
      expect(() => connectTimeoutOf({ connectTimeout: bad }, {})).toThrow(
        `--connect-timeout must be a whole number of milliseconds from 100 to 600000 (got "${bad}")`,
      );
    }
    expect(() => connectTimeoutOf({}, { BOOKSHELF_CONNECT_TIMEOUT_MS: 'x' })).toThrow(
      /^BOOKSHELF_CONNECT_TIMEOUT_MS must be a whole number of milliseconds/,
    );
    expect(() => transportOf({ connectTimeout: 'x' }, {})).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
