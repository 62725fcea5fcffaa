import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, stopAllCli } from '../../../helpers/processes.js';
import { waitFor } from '../../../helpers/wait.js';
import { freshTopics, startWorker, TRANSPORTS } from './support.js';

describe.each(TRANSPORTS)('the instance lock of a lending worker on $name', (transport) => {
  afterEach(() => stopAllCli());

  it('refuses a second worker with a name in use (exit 1, one clear line) unless --force, which takes the lock over', async () => {
    const { namespace } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace];
    const first = await startWorker('dup', args);
    const second = await runCli(['lending-worker', 'dup', ...args]);
    expect(second.code).toBe(1);
    expect(second.output.trim().split('\n').at(-1)).toMatch(/lending worker name "dup" is in use .* --force/);
    expect(first.child.exitCode).toBeNull();

    await startWorker('dup', [...args, '--force']);
    // The worker that lost its lock stops by itself
    expect(await first.exited).toBe(1);
    expect(first.output()).toMatch(/stopped: .*taken over or expired/);
  });

  it("lets a new worker take a dead worker's name once the lock has expired", async () => {
    const { namespace } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace, '--lock-ttl-ms', '2000'];
    const dead = await startWorker('phoenix', args);
    dead.signal('SIGKILL');
    await dead.exited;
    // Right after the crash the name may still be locked; once the lock expires a worker starts without --force
    const reborn = await waitFor(
      async () => {
        const attempt = startCli(['lending-worker', 'phoenix', ...args]);
        const result = await Promise.race([
          attempt.exited.then(() => undefined),
          waitFor(() => attempt.output().includes('lending worker phoenix running'), { timeoutMs: 20_000 }).then(
            () => attempt,
          ),
        ]);
        if (!result) expect(attempt.output()).toMatch(/is in use/);
        return result;
      },
      { timeoutMs: 50_000, intervalMs: 500, what: 'the lock to expire' },
    );
    expect(reborn.child.exitCode).toBeNull();
  });
});
