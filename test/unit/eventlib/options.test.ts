import { describe, expect, it } from 'vitest';
import {
  busOptionsFromUrl,
  createEventBus,
  isEventLibError,
  redactUrl,
  validateBusOptions,
} from '../../../eventlib/index.js';

const invalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(isEventLibError(err, 'EVT_ERR_INVALID_OPTIONS')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected EVT_ERR_INVALID_OPTIONS');
};

describe('bus options', () => {
  it('defaults and freezes memory options', () => {
    const options = validateBusOptions({ kind: 'memory' });
    expect(options).toMatchObject({ kind: 'memory', partitions: 1, flushIntervalMs: 20 });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('accepts Kafka brokers as a list or a comma-separated string and defaults the consumer settings', () => {
    const options = validateBusOptions({ kind: 'kafka', brokers: ' k1:9092, k2:9093 ' });
    expect(options).toMatchObject({
      brokers: ['k1:9092', 'k2:9093'],
      clientId: 'bookshelf',
      partitions: 3,
      ssl: false,
      consumer: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
    });
  });

  it('defaults maxEventBytes to 1 MiB on every adapter, and validates a configured one', () => {
    for (const options of [{ kind: 'memory' }, { kind: 'kafka', brokers: 'k:9092' }, { kind: 'redis' }] as const) {
      expect(validateBusOptions(options).maxEventBytes).toBe(1_048_576);
      expect(validateBusOptions({ ...options, maxEventBytes: 8_192 }).maxEventBytes).toBe(8_192);
      expect(invalid(() => validateBusOptions({ ...options, maxEventBytes: 100 }))).toMatch(/maxEventBytes/);
      expect(invalid(() => validateBusOptions({ ...options, maxEventBytes: 1.5e4 + 0.5 }))).toMatch(/maxEventBytes/);
    }
  });

  it('fails fast with every problem listed', () => {
    const message = invalid(() => validateBusOptions({ kind: 'kafka', brokers: ['nohost'], partitions: 0 }));
    expect(message).toMatch(/host:port/);
    expect(message).toMatch(/partitions/);
    expect(invalid(() => validateBusOptions({ kind: 'kafka', brokers: [] }))).toMatch(/at least one broker/);
    expect(
      invalid(() =>
        validateBusOptions({
          kind: 'kafka',
          brokers: 'k:1',
          consumer: { sessionTimeout: 6_000, heartbeatInterval: 6_000 },
        }),
      ),
    ).toMatch(/heartbeatInterval/);
    expect(invalid(() => validateBusOptions({ kind: 'redis', url: 'redis://h:1', socket: { path: '/s' } }))).toMatch(
      /either url or socket/,
    );
    expect(invalid(() => validateBusOptions({ kind: 'redis', url: 'http://h' }))).toMatch(/redis:\/\//);
    expect(invalid(() => validateBusOptions({ kind: 'nats' } as never))).toMatch(/kind/);
  });

  it('defaults Redis trimming and reclaiming, and lets null disable trimming', () => {
    expect(validateBusOptions({ kind: 'redis' })).toMatchObject({
      maxLen: 1_000_000,
      claimIdleMs: 30_000,
      maxDeliveries: 5,
    });
    expect(validateBusOptions({ kind: 'redis', maxLen: null })).toMatchObject({ maxLen: null });
  });

  it('createEventBus rejects invalid options before loading any adapter', async () => {
    await expect(createEventBus({ kind: 'redis', url: 'ftp://x' })).rejects.toSatisfy((err) =>
      isEventLibError(err, 'EVT_ERR_INVALID_OPTIONS'),
    );
  });
});

describe('busOptionsFromUrl', () => {
  it.each([
    ['memory:', { kind: 'memory' }],
    ['memory:/var/lib/bookshelf/bus.jsonl', { kind: 'memory', file: '/var/lib/bookshelf/bus.jsonl' }],
    ['memory:///tmp/bus.jsonl', { kind: 'memory', file: '/tmp/bus.jsonl' }],
    ['kafka://k1:9092,k2:9092', { kind: 'kafka', brokers: ['k1:9092', 'k2:9092'] }],
    [
      'kafka://alice:s%3Acret@k1:9093?sasl=scram-sha-512&ssl=true&clientId=shop&partitions=6',
      {
        kind: 'kafka',
        brokers: ['k1:9093'],
        clientId: 'shop',
        partitions: 6,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 's:cret' },
      },
    ],
    ['redis://:pw@r:6380/2', { kind: 'redis', url: 'redis://:pw@r:6380/2' }],
    ['rediss://r:6380', { kind: 'redis', url: 'rediss://r:6380' }],
    [
      'unix:///run/redis.sock?db=3&password=pw',
      { kind: 'redis', socket: { path: '/run/redis.sock' }, db: 3, password: 'pw' },
    ],
  ])('%s', (url, expected) => {
    const options = busOptionsFromUrl(url);
    expect(options).toEqual(expected);
    expect(() => validateBusOptions(options)).not.toThrow();
  });

  it('rejects other schemes without echoing passwords', () => {
    const message = invalid(() => busOptionsFromUrl('amqp://user:secret@h:5672'));
    expect(message).not.toMatch(/secret/);
    expect(invalid(() => busOptionsFromUrl('kafka://k:1?partitions=many'))).toMatch(/partitions must be an integer/);
  });

  it('redactUrl hides passwords in URLs and query strings', () => {
    expect(redactUrl('redis://u:secret@h:1/0')).toBe('redis://u:***@h:1/0');
    expect(redactUrl('unix:///s?password=secret&db=1')).toBe('unix:///s?password=***&db=1');
  });
});
