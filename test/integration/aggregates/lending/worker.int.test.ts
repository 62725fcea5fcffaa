import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_TYPE, deadLetterTopic, newEvent, type EventBus } from '../../../../eventlib/index.js';
import { invariantViolations, lendingConfig, loansOf } from '../../../../aggregates/lending/domain/index.js';
import { stopAllCli } from '../../../helpers/processes.js';
import { waitFor } from '../../../helpers/wait.js';
import { collectEvents, freshTopics, queue, startWorker, TRANSPORTS } from './support.js';

describe.each(TRANSPORTS)('lending worker on $name', (transport) => {
  let bus: EventBus;
  beforeAll(async () => {
    bus = await transport.bus();
  });
  afterEach(() => stopAllCli());
  afterAll(() => bus.close());

  it('processes requests queued before any worker ran, then keeps the invariants with two workers under concurrent requests', async () => {
    const { namespace, topics } = freshTopics();
    const args = [...transport.flags(), '--namespace', namespace];
    // Given requests queued before any worker ever ran
    const early = [
      await queue(bus, topics, 'request', 'early-1', ['e1', 'e2']),
      await queue(bus, topics, 'request', 'early-2', ['e2', 'e3']),
    ];
    const log = await collectEvents(bus, topics);
    try {
      // When two workers start
      await startWorker('w1', args);
      await startWorker('w2', args);
      // Then the early requests are decided: e2 went to the first one only
      await waitFor(() => early.every((id) => log.outcomeCounts().has(id)), {
        timeoutMs: 30_000,
        what: 'early outcomes',
      });
      expect(loansOf(log.state(), 'early-1').map((l) => l.book)).toEqual(['e1', 'e2']);
      expect(loansOf(log.state(), 'early-2').map((l) => l.book)).toEqual(['e3']);

      // When 50 users ask for one book at the same time
      const race = await Promise.all(
        Array.from({ length: 50 }, (_, i) => queue(bus, topics, 'request', `racer-${i}`, ['the-one'])),
      );
      // And one user asks for 20 new books at the same time (limit 5)
      const greedy = await Promise.all(
        Array.from({ length: 20 }, (_, i) => queue(bus, topics, 'request', 'greedy', [`new-${i}`])),
      );
      await waitFor(() => [...race, ...greedy].every((id) => log.outcomeCounts().has(id)), {
        timeoutMs: 45_000,
        what: '70 outcomes',
      });
      // Then exactly one racer got the book, the greedy user holds exactly 5, every request has one outcome
      const outcomes = log.outcomes();
      const lentOf = (ids: string[]) =>
        outcomes.filter((o) => o.type === 'books-lent' && ids.includes(o.data.requestId)).length;
      expect(lentOf(race)).toBe(1);
      expect(lentOf(greedy)).toBe(5);
      expect(loansOf(log.state(), 'greedy')).toHaveLength(5);
      expect([...log.outcomeCounts().values()].every((n) => n === 1)).toBe(true);
      expect(invariantViolations(log.state(), lendingConfig())).toEqual([]);
      const denied = outcomes.filter((o) => o.type === 'lending-denied' && greedy.includes(o.data.requestId));
      expect(new Set(denied.map((o) => (o.type === 'lending-denied' ? o.data.cause : '')))).toEqual(
        new Set(['too many books']),
      );
    } finally {
      await log.close();
    }
  });

  it('dead-letters a command that can never succeed and goes on with the next one', async () => {
    const { namespace, topics } = freshTopics();
    const log = await collectEvents(bus, topics);
    const dead: { type: string; data: { reason: string } }[] = [];
    const dlq = await bus.subscribe({
      topics: [deadLetterTopic(topics.commands)],
      group: `${namespace}dlq`,
      from: 'beginning',
      handler: (e) => void dead.push(e as unknown as (typeof dead)[number]),
    });
    try {
      // Given a command that bypassed validation (empty user, no books) and a valid one after it
      const poison = newEvent({
        type: 'lending-requested',
        key: 'lending',
        data: { requestId: 'poison-1', user: '', books: [] },
      });
      await bus.publish(topics.commands, [poison]);
      const valid = await queue(bus, topics, 'request', 'after-poison', ['p1']);
      // When a worker runs
      await startWorker('dl', [...transport.flags(), '--namespace', namespace]);
      // Then the valid one is decided and the poison one is dead-lettered, with no outcome
      await waitFor(() => log.outcomeCounts().has(valid), { timeoutMs: 30_000, what: 'the valid outcome' });
      await waitFor(() => dead.length === 1, { timeoutMs: 30_000, what: 'the dead letter' });
      expect(dead[0]!.type).toBe(DEAD_LETTER_TYPE);
      expect(log.outcomeCounts().has('poison-1')).toBe(false);
    } finally {
      await dlq.close();
      await log.close();
    }
  });
});
