import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '../../../../eventlib/index.js';
import { invariantViolations, lendingConfig, toSnapshot } from '../../../../aggregates/lending/domain/index.js';
import { stopAllCli } from '../../../helpers/processes.js';
import { waitFor } from '../../../helpers/wait.js';
import { queueLending } from '../../../../aggregates/lending/service/queue.js';
import { collectEvents, freshTopics, queue, redisStateSnapshot, startWorker, TRANSPORTS } from './support.js';

const TOTAL = 80;

/** Request i: ten users, fifteen books, every fourth command a return. */
function commandAt(i: number): { kind: 'request' | 'return'; user: string; books: string[] } {
  const kind = i % 4 === 3 ? 'return' : 'request';
  return { kind, user: `u${i % 10}`, books: [`k${(i * 7) % 15}`, `k${(i * 3 + 1) % 15}`] };
}

describe.each(TRANSPORTS)('a lending worker killed on $name', (transport) => {
  let bus: EventBus;
  beforeAll(async () => {
    bus = await transport.bus();
  });
  afterEach(() => stopAllCli());
  afterAll(() => bus.close());

  it('SIGKILL during a stream of requests: after restart every request has exactly one outcome and the state equals a clean replay', async () => {
    const { namespace, topics } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace, '--claim-idle-ms', '2000', '--storage-capacity', '3'];
    const log = await collectEvents(bus, topics);
    try {
      // Given a worker deciding (the partition owner on Kafka) and a second one beside it
      const victim = await startWorker('victim', args);
      const ids: string[] = [];
      const send = async (from: number, to: number) => {
        for (let i = from; i < to; i += 4) {
          const batch = Array.from({ length: Math.min(4, to - i) }, (_, j) => commandAt(i + j));
          ids.push(...(await Promise.all(batch.map((c) => queue(bus, topics, c.kind, c.user, c.books)))));
        }
      };
      await send(0, 10);
      await waitFor(() => log.outcomes().length > 0, { timeoutMs: 30_000, what: 'the victim to decide' });
      await startWorker('survivor', args);

      // When the deciding worker is killed while requests keep coming
      await send(10, 30);
      victim.signal('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');
      await send(30, 55);
      // And it is restarted (its lock may not have expired yet: --force)
      await startWorker('victim', [...args, '--force']);
      await send(55, TOTAL);

      // Then every request has exactly one outcome
      await waitFor(() => ids.every((id) => log.outcomeCounts().has(id)), {
        timeoutMs: 45_000,
        what: `${TOTAL} outcomes`,
      });
      expect(ids).toHaveLength(TOTAL);
      const counts = log.outcomeCounts();
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(counts.size).toBe(TOTAL);
      // And the invariants hold on the replayed log
      const state = log.state();
      expect(invariantViolations(state, lendingConfig({ storageCapacity: 3 }))).toEqual([]);
      // And the state the Redis workers keep as keys equals a clean replay of the events (Kafka keeps no state
      // apart from the log: every worker rebuilds it by replaying the events)
      if (transport.name === 'redis') expect(await redisStateSnapshot(topics)).toEqual(toSnapshot(state));

      // When already-decided requests are delivered again (same request ids), then nothing new is decided
      const resent = ids.slice(0, 5);
      for (const id of resent) {
        const c = commandAt(ids.indexOf(id));
        const again = await queueLending(
          bus,
          topics,
          c.kind,
          { user: c.user, books: c.books },
          {
            producer: 'test',
            clock: () => new Date(),
            requestId: id,
          },
        );
        expect(again.ok).toBe(true);
      }
      const sentinel = await queue(bus, topics, 'request', 'sentinel', ['sentinel-book']);
      await waitFor(() => log.outcomeCounts().has(sentinel), { timeoutMs: 30_000, what: 'the sentinel outcome' });
      expect(resent.map((id) => log.outcomeCounts().get(id))).toEqual([1, 1, 1, 1, 1]);
    } finally {
      await log.close();
    }
  });
});
