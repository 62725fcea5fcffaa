import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigResult } from '../../../restlib/index.js';
import { connectionSecurity, loadPlatformConfig, type PlatformServiceSpec } from '../../../platform/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bookshelf-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----';
const spec: PlatformServiceSpec = { defaults: { name: 'svc', id: 'svc1', tags: [], port: 0 } };

function error<C>(result: ConfigResult<C>): string {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  return result.error.message;
}

describe('connection credentials and TLS (issue 17)', () => {
  it('reads secrets from env vars or files, and CA files, into the bus and the registry', () => {
    const result = loadPlatformConfig(spec, {
      argv: ['--broker', '127.0.0.1:9093', '--kafka-ca-file', file('ca.pem', `${CERT}\n${CERT}\n`)],
      env: {
        BOOKSHELF_KAFKA_SASL_USERNAME: 'bookshelf',
        BOOKSHELF_KAFKA_SASL_PASSWORD_FILE: file('kafka.pw', 'pa ss\n'),
        BOOKSHELF_CONSUL: 'https://127.0.0.1:8501',
        CONSUL_HTTP_TOKEN_FILE: file('token', '  tok-123\n'),
        BOOKSHELF_CONSUL_CA_FILE: file('consul-ca.pem', CERT),
      },
    });
    if (result.kind !== 'config') throw new Error(error(result));
    const { bus, registry } = result.config;
    expect(bus).toEqual({
      kind: 'kafka',
      brokers: ['127.0.0.1:9093'],
      connectTimeoutMs: 10_000,
      sasl: { mechanism: 'scram-sha-512', username: 'bookshelf', password: 'pa ss' },
      tls: { ca: [`${CERT}\n`, `${CERT}\n`] },
    });
    expect(registry).toMatchObject({ kind: 'consul', secure: true, token: 'tok-123', ca: [`${CERT}\n`] });
    // The raw secrets are not loose fields of the config.
    expect(Object.keys(result.config)).not.toContain('kafkaSaslPassword');
    expect(result.config.consulToken).toBe('tok-123');
  });

  it('gives Redis its user, password and CA', () => {
    const result = loadPlatformConfig(spec, {
      argv: ['--redis', 'rediss://127.0.0.1:6380'],
      env: {
        BOOKSHELF_REDIS_USERNAME: 'bookshelf',
        BOOKSHELF_REDIS_PASSWORD: 'pw',
        BOOKSHELF_REDIS_CA_FILE: file('redis-ca.pem', CERT),
      },
    });
    if (result.kind !== 'config') throw new Error(error(result));
    expect(result.config.bus).toMatchObject({
      kind: 'redis',
      url: 'rediss://127.0.0.1:6380',
      username: 'bookshelf',
      password: 'pw',
      tls: { ca: [`${CERT}\n`] },
    });
  });

  it('a flag beats an env var of the other form; the same level twice is refused', () => {
    const pw = file('pw2', 'from-file');
    const flagWins = loadPlatformConfig(spec, {
      argv: ['--broker', 'h:1', '--kafka-sasl-username', 'u', '--kafka-sasl-password-file', pw],
      env: { BOOKSHELF_KAFKA_SASL_PASSWORD: 'from-env' },
    });
    expect(flagWins.kind === 'config' && flagWins.config.bus).toMatchObject({ sasl: { password: 'from-file' } });
    expect(
      error(
        loadPlatformConfig(spec, {
          argv: ['--broker', 'h:1'],
          env: {
            BOOKSHELF_KAFKA_SASL_USERNAME: 'u',
            BOOKSHELF_KAFKA_SASL_PASSWORD: 'x',
            BOOKSHELF_KAFKA_SASL_PASSWORD_FILE: pw,
          },
        }),
      ),
    ).toBe('give --kafka-sasl-password or --kafka-sasl-password-file, not both');
  });

  it('one clear line for what is missing or wrong, never the secret', () => {
    const load = (argv: string[], env: Record<string, string> = {}) =>
      error(loadPlatformConfig(spec, { argv: ['--broker', 'h:1', ...argv], env }));
    expect(load(['--kafka-sasl-username', 'u'])).toMatch(/^--kafka-sasl-username needs a password: /);
    expect(load([], { BOOKSHELF_KAFKA_SASL_PASSWORD: 'hunter2' })).toBe(
      '--kafka-sasl-password needs a user: add --kafka-sasl-username',
    );
    expect(load(['--kafka-ca-file', join(dir, 'missing.pem')])).toBe(
      `--kafka-ca-file cannot be read: no such file ${join(dir, 'missing.pem')}`,
    );
    const key = file('key.pem', '-----BEGIN PRIVATE KEY-----\nMIIsecret\n-----END PRIVATE KEY-----\n');
    const keyError = load(['--kafka-ca-file', key]);
    expect(keyError).toMatch(/holds a private key: give the CA's certificate only$/);
    expect(keyError).not.toContain('MIIsecret');
    expect(load(['--kafka-ca-file', file('junk.pem', 'hello')])).toMatch(/holds no PEM certificate/);
    expect(load(['--kafka-sasl-mechanism', 'gssapi'])).toMatch(/^--kafka-sasl-mechanism must be plain/);
    // A password in a URL is not quoted back.
    const url = error(loadPlatformConfig(spec, { argv: ['--redis', 'rediss://u:hunter2@host:1 x'], env: {} }));
    expect(url).not.toContain('hunter2');
    expect(url).toContain('rediss://u:***@');
  });

  it('is usable on its own (the lending commands), with their flag names', () => {
    expect(() =>
      connectionSecurity({ redisPassword: 'a', redisPasswordFile: 'b' }, {
        ...Object.fromEntries(Object.keys({ redisPassword: 1 }).map((k) => [k, k])),
        redisPassword: '--password',
        redisPasswordFile: '--redis-password-file',
      } as never),
    ).toThrow('give --password or --redis-password-file, not both');
    expect(connectionSecurity({ kafkaTls: true }).kafka).toEqual({ tls: {} });
    expect(Object.isFrozen(connectionSecurity({ redisUsername: 'u' }).redis)).toBe(true);
  });
});
