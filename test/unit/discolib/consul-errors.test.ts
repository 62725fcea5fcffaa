import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { translateConsulError } from '../../../discolib/consul/errors.js';
import { createRegistry, isDiscoError, parseDuration } from '../../../discolib/index.js';
import { freePort } from '../../../docker/stack/ports.js';

describe('discolib: Consul errors, options and secrets (no agent needed)', () => {
  it('translates Consul client errors into the catalogue, once', () => {
    const response = (statusCode: number) => Object.assign(new Error('x'), { isPapi: true, response: { statusCode } });
    expect(translateConsulError(response(403), 'register', 'a:1')).toMatchObject({
      code: 'DISCO_ERR_FORBIDDEN',
      retriable: false,
    });
    expect(translateConsulError(response(401), 'register', 'a:1').code).toBe('DISCO_ERR_FORBIDDEN');
    expect(translateConsulError(response(400), 'register', 'a:1')).toMatchObject({
      code: 'DISCO_ERR_REJECTED',
      retriable: false,
    });
    expect(translateConsulError(response(500), 'register', 'a:1')).toMatchObject({
      code: 'DISCO_ERR_UNAVAILABLE',
      retriable: true,
    });
    expect(translateConsulError(response(429), 'register', 'a:1').code).toBe('DISCO_ERR_UNAVAILABLE');
    // Issue 17: a certificate the CA does not vouch for is not "unavailable": retrying changes nothing.
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(translateConsulError(tls, 'connect', 'a:1')).toMatchObject({ code: 'DISCO_ERR_TLS', retriable: false });
    expect(translateConsulError(tls, 'connect', 'a:1').message).toMatch(/^consul connect: self-signed .* at a:1 \(TLS/);
    expect(translateConsulError(Object.assign(new Error('t'), { isTimeout: true }), 'x', 'a:1')).toMatchObject({
      code: 'DISCO_ERR_TIMEOUT',
      retriable: true,
    });
    const refused = translateConsulError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'discover',
      'a:1',
    );
    expect(refused).toMatchObject({ code: 'DISCO_ERR_UNAVAILABLE', retriable: true });
    expect(refused.message).toBe('consul discover: cannot reach the agent at a:1 (ECONNREFUSED)');
    expect(refused.cause).toBeInstanceOf(Error);
    expect(translateConsulError(refused, 'again', 'b:2')).toBe(refused);
  });

  it('validates registry options at construction', () => {
    const invalid = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'DISCO_ERR_INVALID' }));
    invalid(() => createRegistry({ kind: 'consul', addr: 'no-port' }));
    invalid(() => createRegistry({ kind: 'consul', addr: '127.0.0.1:8500', token: '' }));
    // @ts-expect-error unknown kind
    invalid(() => createRegistry({ kind: 'etcd' }));
    // @ts-expect-error unknown option
    invalid(() => createRegistry({ kind: 'memory', extra: 1 }));
  });

  it('an unreachable agent is DISCO_ERR_UNAVAILABLE, and the ACL token is never in errors or logs', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    const token = 'tok-9f1c2e-secret';
    const registry = createRegistry(
      { kind: 'consul', addr: `127.0.0.1:${await freePort()}`, token, requestTimeoutMs: 1000 },
      logger,
    );
    try {
      const err: unknown = await registry
        .register({ name: 'books', id: 'books-1', address: '127.0.0.1', port: 8080, tags: [] })
        .catch((e: unknown) => e);
      expect(isDiscoError(err, 'DISCO_ERR_UNAVAILABLE')).toBe(true);
      expect((err as { retriable?: boolean }).retriable).toBe(true);
      expect(String((err as Error).message)).not.toContain(token);
      const discoverErr: unknown = await registry.discover({ name: 'books' }).catch((e: unknown) => e);
      expect(isDiscoError(discoverErr, 'DISCO_ERR_UNAVAILABLE')).toBe(true);
      expect(JSON.stringify(discoverErr)).not.toContain(token);
    } finally {
      await registry.close();
    }
    expect(lines.join('')).not.toContain(token);
  });

  it('parses Go-style durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('10')).toBeUndefined();
  });
});
