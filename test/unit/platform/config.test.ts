import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConfigResult } from '../../../restlib/index.js';
import {
  loadPlatformConfig as loadConfig,
  loadPlatformConfigOrExit as loadConfigOrExit,
  type PlatformServiceSpec as ServiceSpec,
} from '../../../platform/index.js';

const lastread: ServiceSpec = {
  description: 'the five last read books',
  defaults: { name: 'lastreadbooks', id: 'lastread1', tags: ['books', 'last'], port: 8087 },
};

function ok<C>(result: ConfigResult<C>): C {
  if (result.kind !== 'config')
    throw new Error(`expected a config, got ${result.kind}: ${result.kind === 'error' ? result.error.message : ''}`);
  return result.config;
}
function failure<C>(result: ConfigResult<C>) {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  return result.error;
}

describe('platform config (restlib loader + the product flags)', () => {
  it('uses the service defaults when nothing is given', () => {
    const config = ok(loadConfig(lastread, { argv: [], env: {} }));
    expect(config).toMatchObject({
      name: 'lastreadbooks',
      id: 'lastread1',
      tags: ['books', 'last'],
      port: 8087,
      addr: '127.0.0.1',
      topic: 'bookshelf',
      group: 'lastreadbooks',
      logLevel: 'info',
      bus: { kind: 'memory' },
      registry: { kind: 'memory' },
    });
    expect(config.broker).toBeUndefined();
  });

  it('registers the --advertise-addr when listening on every interface, 127.0.0.1 with the in-memory registry', () => {
    const inContainer = { BOOKSHELF_ADDR: '0.0.0.0', BOOKSHELF_CONSUL: 'consul:8500' };
    expect(
      ok(loadConfig(lastread, { argv: [], env: { ...inContainer, BOOKSHELF_ADVERTISE_ADDR: 'lastread' } })),
    ).toMatchObject({
      addr: '0.0.0.0',
      advertiseAddr: 'lastread',
      registry: { kind: 'consul', addr: 'consul:8500' },
    });
    expect(
      ok(loadConfig(lastread, { argv: ['--addr', '10.0.0.5', '--consul', 'c:8500'], env: {} })).advertiseAddr,
    ).toBe('10.0.0.5');
    expect(ok(loadConfig(lastread, { argv: ['--addr', '0.0.0.0'], env: {} })).advertiseAddr).toBe('127.0.0.1');
    const refused = failure(loadConfig(lastread, { argv: [], env: inContainer }));
    expect(refused.message).toBe(
      '--addr 0.0.0.0 (from BOOKSHELF_ADDR) listens on every interface: give --advertise-addr (env ' +
        'BOOKSHELF_ADVERTISE_ADDR), the address Consul and the other services reach this one at',
    );
    expect(refused.option).toBe('advertiseAddr');
  });

  it("takes the seed's flags, tags space separated", () => {
    const argv =
      '--topic shelf --broker localhost:9092 --addr 127.0.0.2 --port 8088 --name lastreadbooks --id lastread2 --tags books last --group g1'.split(
        ' ',
      );
    const config = ok(loadConfig(lastread, { argv, env: {} }));
    expect(config).toMatchObject({
      topic: 'shelf',
      addr: '127.0.0.2',
      port: 8088,
      id: 'lastread2',
      tags: ['books', 'last'],
      group: 'g1',
    });
    expect(config.bus).toEqual({ kind: 'kafka', brokers: ['localhost:9092'], connectTimeoutMs: 10_000 });
  });

  it("takes the seed's --delay in seconds (default 0) and refuses anything but 0-3600 whole seconds", () => {
    expect(ok(loadConfig(lastread, { argv: [], env: {} })).delay).toBe(0);
    expect(ok(loadConfig(lastread, { argv: ['--delay', '15'], env: {} })).delay).toBe(15);
    expect(ok(loadConfig(lastread, { argv: [], env: { BOOKSHELF_DELAY: '3' } })).delay).toBe(3);
    for (const bad of ['-1', '1.5', 'soon', '3601']) {
      expect(failure(loadConfig(lastread, { argv: ['--delay', bad], env: {} })).message).toMatch(
        /^--delay must be a whole number of seconds from 0 to 3600/,
      );
    }
  });

  it('--connect-timeout (BOOKSHELF_CONNECT_TIMEOUT_MS, default 10000 ms) reaches the bus and the registry', () => {
    const defaults = ok(loadConfig(lastread, { argv: ['--redis', 'r:6379', '--consul', 'c:8500'], env: {} }));
    expect(defaults.connectTimeoutMs).toBe(10_000);
    const fromEnv = ok(
      loadConfig(lastread, { argv: ['--broker', 'k:9092'], env: { BOOKSHELF_CONNECT_TIMEOUT_MS: '2500' } }),
    );
    expect(fromEnv.connectTimeoutMs).toBe(2500);
    expect(fromEnv.bus).toEqual({ kind: 'kafka', brokers: ['k:9092'], connectTimeoutMs: 2500 });
    const fromFlag = ok(
      loadConfig(lastread, {
        argv: ['--redis', 'r:6379', '--consul', 'c:8500', '--connect-timeout', '2000'],
        env: { BOOKSHELF_CONNECT_TIMEOUT_MS: '2500' },
      }),
    );
    expect(fromFlag.bus).toEqual({ kind: 'redis', url: 'redis://r:6379', connectTimeoutMs: 2000 });
    expect(fromFlag.registry).toEqual({ kind: 'consul', addr: 'c:8500', secure: false, connectTimeoutMs: 2000 });
    for (const bad of ['0', '99', '1.5', 'soon', '600001', '']) {
      expect(failure(loadConfig(lastread, { argv: ['--connect-timeout', bad], env: {} })).message).toBe(
        `--connect-timeout must be a whole number of milliseconds from 100 to 600000 (got "${bad}" from --connect-timeout)`,
      );
    }
    expect(failure(loadConfig(lastread, { argv: [], env: { BOOKSHELF_CONNECT_TIMEOUT_MS: 'x' } })).message).toMatch(
      /^--connect-timeout must be a whole number of milliseconds from 100 to 600000 \(got "x" from BOOKSHELF_CONNECT_TIMEOUT_MS\)/,
    );
  });

  it('--redis selects Redis Streams and --consul selects Consul (scheme and token handled)', () => {
    const redis = ok(
      loadConfig(lastread, {
        argv: ['--redis', '127.0.0.1:6379', '--consul', 'https://10.0.0.1:8501'],
        env: { CONSUL_HTTP_TOKEN: 'secret-token' },
      }),
    );
    expect(redis.bus).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379', connectTimeoutMs: 10_000 });
    expect(redis.registry).toEqual({
      kind: 'consul',
      addr: '10.0.0.1:8501',
      secure: true,
      token: 'secret-token',
      connectTimeoutMs: 10_000,
    });
  });

  it('flags beat env vars, env vars beat defaults', () => {
    const env = {
      BOOKSHELF_PORT: '9001',
      BOOKSHELF_TOPIC: 'from-env',
      BOOKSHELF_TAGS: 'a,b c',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
    };
    const fromEnv = ok(loadConfig(lastread, { argv: [], env }));
    expect(fromEnv).toMatchObject({
      port: 9001,
      topic: 'from-env',
      tags: ['a', 'b', 'c'],
      broker: ['k1:9092', 'k2:9092'],
    });
    const fromFlags = ok(loadConfig(lastread, { argv: ['--port', '9002', '--tags', 'x'], env }));
    expect(fromFlags).toMatchObject({ port: 9002, topic: 'from-env', tags: ['x'] });
  });

  it('BOOKSHELF_* beats the conventional names (KAFKA_BROKERS, REDIS_URL, CONSUL_HTTP_ADDR)', () => {
    const config = ok(
      loadConfig(lastread, {
        argv: [],
        env: {
          KAFKA_BROKERS: 'a:1',
          BOOKSHELF_BROKER: 'b:2',
          CONSUL_HTTP_ADDR: '127.0.0.1:8500',
          BOOKSHELF_CONSUL: '127.0.0.1:18500',
        },
      }),
    );
    expect(config.broker).toEqual(['b:2']);
    expect(config.registry).toEqual({
      kind: 'consul',
      addr: '127.0.0.1:18500',
      secure: false,
      connectTimeoutMs: 10_000,
    });
  });

  it('a transport flag beats a transport env var; both at one level is an error', () => {
    const config = ok(loadConfig(lastread, { argv: ['--redis', 'redis://r:6379'], env: { KAFKA_BROKERS: 'k:9092' } }));
    expect(config.bus).toEqual({ kind: 'redis', url: 'redis://r:6379', connectTimeoutMs: 10_000 });
    const err = failure(loadConfig(lastread, { argv: ['--redis', 'redis://r:6379', '--broker', 'k:9092'], env: {} }));
    expect(err.message).toBe('choose one event transport: --broker (Kafka) or --redis (Redis Streams), not both');
    const envErr = failure(
      loadConfig(lastread, { argv: [], env: { BOOKSHELF_BROKER: 'k:9092', BOOKSHELF_REDIS: 'redis://r:6379' } }),
    );
    expect(envErr.message).toBe(
      'choose one event transport: BOOKSHELF_BROKER (Kafka) or BOOKSHELF_REDIS (Redis Streams), not both',
    );
    const bookshelfBeatsAmbient = ok(
      loadConfig(lastread, { argv: [], env: { BOOKSHELF_REDIS: 'redis://r:6379', KAFKA_BROKERS: 'k:9092' } }),
    );
    expect(bookshelfBeatsAmbient.bus).toEqual({ kind: 'redis', url: 'redis://r:6379', connectTimeoutMs: 10_000 });
  });

  it('a shell that exported the whole local stack (KAFKA_BROKERS and REDIS_URL) gets Kafka', () => {
    const config = ok(
      loadConfig(lastread, {
        argv: [],
        env: {
          KAFKA_BROKERS: '127.0.0.1:9092',
          REDIS_URL: 'redis://127.0.0.1:6379',
          CONSUL_HTTP_ADDR: '127.0.0.1:8500',
        },
      }),
    );
    expect(config.bus).toEqual({ kind: 'kafka', brokers: ['127.0.0.1:9092'], connectTimeoutMs: 10_000 });
    expect(config.redis).toBeUndefined();
    expect(config.registry).toEqual({
      kind: 'consul',
      addr: '127.0.0.1:8500',
      secure: false,
      connectTimeoutMs: 10_000,
    });
  });

  it('the config is frozen, tags included', () => {
    const config = ok(loadConfig(lastread, { argv: [], env: {} }));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tags)).toBe(true);
    expect(Object.isFrozen(config.bus)).toBe(true);
    expect(() => (config.tags as string[]).push('x')).toThrow(TypeError);
  });

  it('--help lists every flag with its env var and default', () => {
    const result = loadConfig(lastread, { argv: ['--help'], env: {} });
    expect(result.kind).toBe('help');
    const text = result.kind === 'help' ? result.text.replace(/\s+/g, ' ') : '';
    for (const flag of [
      '--topic',
      '--group',
      '--broker',
      '--addr',
      '--advertise-addr',
      '--port',
      '--name',
      '--id',
      '--tags',
      '--redis',
      '--consul',
      '--consul-token',
      '--log-level',
      '--help',
    ]) {
      expect(text).toContain(flag);
    }
    expect(text).toContain('Usage: lastreadbooks');
    expect(text).toContain('BOOKSHELF_PORT');
    expect(text).toContain('default: 8087');
    expect(text).toContain('default: books last');
  });

  it.each([
    [['--port', 'abc'], {}, '--port must be an integer from 0 to 65535 (got "abc" from --port)'],
    [['--port', '70000'], {}, '--port must be an integer from 0 to 65535 (got "70000" from --port)'],
    [[], { BOOKSHELF_PORT: '1.5' }, '--port must be an integer from 0 to 65535 (got "1.5" from BOOKSHELF_PORT)'],
    [['--broker', 'nohost'], {}, '--broker must be host:port[,host:port...] (got "nohost" from --broker)'],
    [
      ['--consul', 'consul'],
      {},
      '--consul must be host:port (optionally http:// or https://) (got "consul" from --consul)',
    ],
    [
      ['--name', 'two words'],
      {},
      '--name must be letters, digits, "-", "_" or "." (no spaces) (got "two words" from --name)',
    ],
    [
      ['--log-level', 'loud'],
      {},
      '--log-level must be fatal, error, warn, info, debug, trace or silent (got "loud" from --log-level)',
    ],
    [
      ['--redis', 'http://x'],
      {},
      '--redis must be redis://host:port, rediss://..., host:port or /path/to/socket (got "http://x" from --redis)',
    ],
  ])('bad value %j %j -> one clear line', (argv, env, message) => {
    const err = failure(loadConfig(lastread, { argv, env }));
    expect(err.code).toBe('REST_ERR_CONFIG_INVALID');
    expect(err.message).toBe(message);
    expect(err.message).not.toContain('\n');
  });

  it('unknown flags, missing values and extra arguments are usage errors', () => {
    expect(failure(loadConfig(lastread, { argv: ['--nope'], env: {} })).message).toBe(
      "unknown option '--nope' (see --help)",
    );
    expect(failure(loadConfig(lastread, { argv: ['--port'], env: {} })).code).toBe('REST_ERR_CONFIG_USAGE');
    expect(failure(loadConfig(lastread, { argv: ['stray'], env: {} })).code).toBe('REST_ERR_CONFIG_USAGE');
  });

  it('never prints the ACL token, even when it is bad', () => {
    const err = failure(loadConfig(lastread, { argv: ['--consul-token', 'has space'], env: {} }));
    expect(err.message).toBe('--consul-token must be a word without spaces');
  });

  it('services declare extra options, typed, through the same schema and precedence', () => {
    const spec = {
      defaults: { name: 'lastreadbooks', id: 'lastread1', tags: ['books'], port: 8087 },
      options: {
        last: {
          flag: '--last <n>',
          description: 'books to keep',
          env: ['BOOKSHELF_LAST'],
          schema: z.coerce.number().int().positive('must be a positive integer'),
          default: 5,
        },
        force: { flag: '--force', description: 'take over the lock', schema: z.boolean(), default: false },
      },
    };
    const config = ok(loadConfig(spec, { argv: [], env: { BOOKSHELF_LAST: '7' } }));
    const last: number = config.last;
    expect(last).toBe(7);
    expect(config.force).toBe(false);
    expect(ok(loadConfig(spec, { argv: ['--last', '3', '--force'], env: { BOOKSHELF_LAST: '7' } }))).toMatchObject({
      last: 3,
      force: true,
    });
    expect(failure(loadConfig(spec, { argv: ['--last', '0'], env: {} })).message).toBe(
      '--last must be a positive integer (got "0" from --last)',
    );
  });

  it('loadConfigOrExit prints help to stdout and exits 0, or one line to stderr and exits 2', () => {
    const printed: string[] = [];
    const exits: number[] = [];
    const io = {
      stdout: (t: string) => void printed.push(`out:${t}`),
      stderr: (t: string) => void printed.push(`err:${t}`),
      exit: (code: number): never => {
        exits.push(code);
        throw new Error('exit');
      },
    };
    expect(() => loadConfigOrExit(lastread, { argv: ['--port', 'x'], env: {} }, io)).toThrow('exit');
    expect(exits).toEqual([2]);
    expect(printed).toEqual(['err:lastreadbooks: --port must be an integer from 0 to 65535 (got "x" from --port)\n']);
    expect(() => loadConfigOrExit(lastread, { argv: ['--help'], env: {} }, io)).toThrow('exit');
    expect(exits).toEqual([2, 0]);
    expect(printed[1]).toMatch(/^out:Usage: lastreadbooks/);
    expect(loadConfigOrExit(lastread, { argv: [], env: {} }, io).port).toBe(8087);
  });
});
