import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../restlib/index.js';

describe('restlib logger redaction (issue 17, point 4)', () => {
  it('replaces the connection secrets at the top level and two levels down', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ name: 'svc', level: 'debug', stream });
    log.debug(
      {
        kafkaSaslPassword: 'kp-1',
        redisPassword: 'rp-1',
        bus: { kind: 'kafka', sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'kp-2' } },
        registry: { token: 'tok-1', managementToken: 'mt-1' },
        tls: { ca: ['-----BEGIN CERTIFICATE-----'], passphrase: 'pp-1', privateKey: 'pk-1' },
        config: { bus: { password: 'rp-2' } },
      },
      'connecting',
    );
    const all = lines.join('');
    expect(all).not.toMatch(/kp-1|kp-2|rp-1|rp-2|tok-1|mt-1|pp-1|pk-1/);
    expect(all).toContain('BEGIN CERTIFICATE'); // a CA certificate is public
    expect(JSON.parse(all)).toMatchObject({ bus: { kind: 'kafka', sasl: '[redacted]' } });
  });
});
