import { describe, expect, it } from 'vitest';
import { acquireInstanceLock } from '../../../discolib/index.js';
import { describeInstanceLock } from '../../../discolib/testing/index.js';

// In-process: no child process can share it, and there is no server for the lock to vanish from.
describeInstanceLock('memory', (request) => acquireInstanceLock({ kind: 'memory', ...request }), { kind: 'memory' });

describe('acquireInstanceLock options', () => {
  it('are checked per kind: unknown kinds and fields, a bad Redis URL or Consul address are DISCO_ERR_INVALID', async () => {
    const invalid = (options: unknown, field: RegExp) =>
      expect(acquireInstanceLock(options as never)).rejects.toMatchObject({
        code: 'DISCO_ERR_INVALID',
        message: expect.stringMatching(field) as unknown,
      });
    await invalid({ kind: 'zookeeper', name: 'w1' }, /kind/);
    await invalid({ kind: 'memory', name: 'w1', url: 'redis://x:1' }, /url/);
    await invalid({ kind: 'redis', name: 'w1', url: 'http://127.0.0.1:6379' }, /url/);
    await invalid({ kind: 'redis', name: 'w1' }, /url/);
    await invalid({ kind: 'consul', name: 'w1', addr: '127.0.0.1' }, /addr/);
    await invalid({ kind: 'consul', name: 'w1', addr: '127.0.0.1:8500', token: 'a b' }, /token/);
  });
});
