import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEventBus, type BusOptions, type MemoryEventBus } from '../../../../eventlib/index.js';
import { describeEventBus, type BusContext } from '../../../../eventlib/testing/index.js';

// Every bus of one test shares a journal file, so "restart" and "another process" mean what they do in production.
const dir = await mkdtemp(join(tmpdir(), 'eventlib-memory-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const options = (ctx: BusContext): BusOptions => ({
  kind: 'memory',
  file: join(dir, `${ctx.testId}.jsonl`),
  partitions: 3,
});

describeEventBus('memory', (ctx, overrides) => createEventBus({ ...options(ctx), ...overrides }), {
  partitions: 3,
  pushRaw: async (bus, topic, lines) => {
    await (bus as MemoryEventBus).publishRaw(
      topic,
      lines.map((value) => ({ value })),
    );
  },
  childBusOptions: options,
  declaredPartitions: 'enforced',
  sharedAcrossProcesses: false,
  keyOrderAcrossTakeover: true,
  takeoverTimeoutMs: 10_000,
});
