import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { lendingConfig } from '../../../../../aggregates/lending/domain/index.js';
import { lendingTopics } from '../../../../../aggregates/lending/wire.js';
import { runLendingWorker, type RunningWorker } from '../../../../../aggregates/lending/worker/runWorker.js';
import { createEventBus, type EventBus } from '../../../../../eventlib/index.js';
import { uniqueName } from '../../../../helpers/wait.js';

// The lock itself is discolib's (its contract: test/unit/discolib/lock.memory.contract.test.ts); this checks what the
// lending worker makes of it on the in-memory bus of the embedded platform.
describe('the instance lock of a lending worker (embedded platform)', () => {
  const log = pino({ level: 'silent' });
  const buses: EventBus[] = [];
  const workers: RunningWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  const run = async (name: string, opts: { force?: boolean; namespace?: string } = {}) => {
    const bus = await createEventBus({ kind: 'memory' });
    buses.push(bus);
    const worker = await runLendingWorker(
      { bus, log, clock: () => new Date('2026-01-01T10:00:00Z') },
      {
        name,
        topics: lendingTopics(opts.namespace ?? ''),
        config: lendingConfig({}),
        ...(opts.force ? { force: true } : {}),
      },
    );
    workers.push(worker);
    return worker;
  };

  it('given a running worker, when another starts with its name, then it fails with DISCO_ERR_LOCK_HELD, exit 1 and the lending message', async () => {
    const name = uniqueName('w');
    const first = await run(name);
    expect(first.lock).toMatchObject({ name, kind: 'memory' });
    await expect(run(name)).rejects.toMatchObject({
      code: 'DISCO_ERR_LOCK_HELD',
      exitCode: 1,
      retriable: false,
      message: expect.stringMatching(
        new RegExp(`^lending worker name "${name}" is in use by another running worker .*--force to take it over$`),
      ) as unknown,
    });
  });

  it('given a running worker, when another starts with its name and --force, then the first stops: taken over by another worker', async () => {
    const name = uniqueName('w');
    const first = await run(name);
    await run(name, { force: true });
    await expect(first.stopped).resolves.toMatch(/^lost the worker lock: taken over by another worker/);
  });

  it('given a running worker, when one with the same name starts in another namespace, then both run', async () => {
    const name = uniqueName('w');
    await run(name);
    await expect(run(name, { namespace: `${uniqueName('ns')}.` })).resolves.toMatchObject({ lock: { name } });
  });
});
