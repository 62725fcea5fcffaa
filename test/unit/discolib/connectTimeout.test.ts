import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireInstanceLock,
  connectRegistry,
  isDiscoError,
  type InstanceLockOptions,
} from '../../../discolib/index.js';
import { refusedPort, silentServer, type SilentServer } from '../../helpers/deadPorts.js';

const TIMEOUT = 1000;
/** Generous: the bound is the timeout, the margin only absorbs a loaded machine. */
const WITHIN = TIMEOUT + 3000;

async function timed(fn: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  const err = await fn().then(
    () => new Error('it connected'),
    (e: unknown) => e,
  );
  return { err, ms: Date.now() - started };
}

describe('reaching Consul and the lock stores within a timeout', () => {
  let silent: SilentServer;
  beforeAll(async () => void (silent = await silentServer()));
  afterAll(() => silent.close());

  for (const port of ['silent', 'refused'] as const) {
    const addr = async () => `127.0.0.1:${port === 'silent' ? silent.port : await refusedPort()}`;

    it(`connectRegistry on a ${port} Consul port: one DISCO_ERR_UNAVAILABLE within connectTimeoutMs`, async () => {
      const at = await addr();
      const { err, ms } = await timed(() => connectRegistry({ kind: 'consul', addr: at, connectTimeoutMs: TIMEOUT }));
      expect(isDiscoError(err, 'DISCO_ERR_UNAVAILABLE'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(
        new RegExp(`^cannot reach Consul at ${at} within ${TIMEOUT} ms \\(.+\\)$`),
      );
      if (port === 'silent') expect((err as Error).message).toContain('did not answer');
      else expect((err as Error).message).toContain('ECONNREFUSED');
      expect(ms).toBeLessThan(WITHIN);
    }, 15_000);

    it(`a Consul lock on a ${port} port fails within requestTimeoutMs`, async () => {
      const at = await addr();
      const { err, ms } = await timed(() =>
        acquireInstanceLock({ kind: 'consul', name: 'w1', addr: at, requestTimeoutMs: TIMEOUT }),
      );
      expect(isDiscoError(err, port === 'silent' ? 'DISCO_ERR_TIMEOUT' : 'DISCO_ERR_UNAVAILABLE'), String(err)).toBe(
        true,
      );
      expect((err as Error).message).toMatch(/^consul lock: /);
      expect(ms).toBeLessThan(WITHIN);
    }, 15_000);

    it(`a Redis lock on a ${port} port: DISCO_ERR_UNAVAILABLE within connectTimeoutMs`, async () => {
      const at = await addr();
      const options: InstanceLockOptions = {
        kind: 'redis',
        name: 'w1',
        url: `redis://${at}`,
        connectTimeoutMs: TIMEOUT,
      };
      const { err, ms } = await timed(() => acquireInstanceLock(options));
      expect(isDiscoError(err, 'DISCO_ERR_UNAVAILABLE'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(
        new RegExp(`^redis lock: cannot reach Redis at redis://${at} within ${TIMEOUT} ms \\(.+\\)$`),
      );
      expect(ms).toBeLessThan(WITHIN);
    }, 15_000);
  }

  it('the memory registry needs no connection', async () => {
    const registry = await connectRegistry({ kind: 'memory' });
    await registry.close();
  });
});
