import { describe, expect, it } from 'vitest';
import { transportOf } from '../../../../../cli/commands/lendingOptions.js';

describe('the connection flags of bookshelf lending-worker and bookshelf books', () => {
  it('picks Kafka with --broker and Redis with -a, like the seed', () => {
    expect(transportOf({ broker: 'k1:9092,k2:9092' }, {})).toEqual({ kind: 'kafka', brokers: ['k1:9092', 'k2:9092'] });
    expect(transportOf({ address: 'r:6380', db: '2', password: 'pw', tls: true }, {})).toEqual({
      kind: 'redis',
      redis: { url: 'rediss://r:6380', db: 2, password: 'pw', tls: true },
    });
    expect(transportOf({}, {})).toEqual({ kind: 'redis', redis: { url: 'redis://127.0.0.1:6379' } });
    expect(transportOf({}, { BOOKSHELF_BROKER: 'k:9092' })).toEqual({ kind: 'kafka', brokers: ['k:9092'] });
  });

  it('rejects bad values and two transports in one line each', () => {
    expect(() => transportOf({ broker: 'nope' }, {})).toThrow(/--broker must be host:port/);
    expect(() => transportOf({ address: 'r:1', broker: 'k:1' }, {})).toThrow(/choose one transport/);
    expect(() => transportOf({ address: 'r:1', db: '-1' }, {})).toThrow(/--db/);
  });
});
