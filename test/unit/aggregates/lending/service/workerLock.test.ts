import { describe, expect, it } from 'vitest';
import { acquireMemoryLock } from '../../../../../aggregates/lending/lock/memoryLock.js';
import { uniqueName } from '../../../../helpers/wait.js';

describe('the in-process worker lock (embedded platform)', () => {
  it('given a held name, when another worker takes it, then it fails with LEND_ERR_WORKER_NAME_IN_USE and exit 1', () => {
    const name = uniqueName('w');
    acquireMemoryLock(name);
    expect(() => acquireMemoryLock(name)).toThrow(
      expect.objectContaining({ code: 'LEND_ERR_WORKER_NAME_IN_USE', exitCode: 1, retriable: false }),
    );
  });

  it('given a held name, when another worker forces it, then the first holder is told it lost the lock', async () => {
    const name = uniqueName('w');
    const first = acquireMemoryLock(name);
    const second = acquireMemoryLock(name, { force: true });
    await expect(first.lost).resolves.toMatch(/taken over/);
    await first.release(); // releasing a lost lock leaves the new holder alone
    expect(() => acquireMemoryLock(name)).toThrow(/in use/);
    await second.release();
    expect(() => acquireMemoryLock(name)).not.toThrow();
  });
});
