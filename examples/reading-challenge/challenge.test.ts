// The example's own tests, as a user of the package writes them: given/when/then on the pure decider, the engine
// and the view end to end on the in-memory bus, and the event-bus contract suite (the one to run against an
// adapter of your own).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventBus, type MemoryEventBus } from 'bookshelf/eventlib';
import { startLogDecider } from 'bookshelf/platform';
import { deciderSpec, describeEventBus, waitFor } from 'bookshelf/testing';
import { challenge } from './challenge.js';
import { progressView, type Progress } from './progressView.js';
import { challengeWire, command, TOPICS } from './wire.js';

const spec = deciderSpec(challenge, { context: undefined });
const joined = { type: 'challenge-joined', commandId: 'c1', reader: 'ann', goal: 2 } as const;
const logged = { type: 'book-logged', commandId: 'c2', reader: 'ann', book: 'dune', count: 1 } as const;

describe('the reading challenge (given/when/then)', () => {
  it('completes the challenge with the book that reaches the goal, once', () => {
    spec
      .given([joined, logged])
      .when({ type: 'log-book', commandId: 'c3', reader: 'ann', book: 'emma' })
      .thenMatch([
        { type: 'book-logged', count: 2 },
        { type: 'challenge-completed', books: 2 },
      ]);
  });

  it('counts a book once, and decides nothing for a command it has decided', () => {
    spec.given([joined, logged]).when({ type: 'log-book', commandId: 'c9', reader: 'ann', book: 'dune' }).thenNothing();
    spec.given([joined, logged]).when({ type: 'log-book', commandId: 'c2', reader: 'ann', book: 'emma' }).thenNothing();
  });

  it('refuses a book from a reader who has not joined, and a goal below 1', () => {
    spec
      .given()
      .when({ type: 'log-book', commandId: 'c1', reader: 'bob', book: 'dune' })
      .thenFails({ code: 'CHAL_ERR_NOT_JOINED' });
    spec
      .given()
      .when({ type: 'join', commandId: 'c1', reader: 'bob', goal: 0 })
      .thenFails({ code: 'CHAL_ERR_INVALID', field: 'goal' });
  });
});

describe('the reading challenge on the in-memory bus (engine + view)', () => {
  it('decides commands a batch at a time and shows each reader progress', async () => {
    const log = pino({ level: 'silent' });
    const bus = await createEventBus({ kind: 'memory' });
    const engine = await startLogDecider(bus, {
      name: 'challenge-1',
      commandsTopic: TOPICS.commands,
      eventsTopic: TOPICS.events,
      group: 'challenge',
      decider: challenge,
      wire: challengeWire,
      log,
    });
    const view = await progressView(bus, log);
    try {
      await bus.publish(TOPICS.commands, [
        command({ type: 'join', commandId: 'j1', reader: 'ann', goal: 2 }),
        command({ type: 'log-book', commandId: 'l1', reader: 'ann', book: 'dune' }),
        command({ type: 'log-book', commandId: 'l1', reader: 'ann', book: 'dune' }),
        command({ type: 'log-book', commandId: 'l2', reader: 'ann', book: 'emma' }),
        command({ type: 'log-book', commandId: 'l3', reader: 'bob', book: 'dune' }),
      ]);
      await waitFor(() => engine.stats().decided + engine.stats().deadLettered >= 4, { what: 'the commands decided' });
      expect(engine.stats()).toMatchObject({ decided: 3, duplicates: 1, deadLettered: 1 });
      await waitFor(async () => (await view.app.inject({ url: '/progress/ann' })).json<Progress>().completed === true, {
        what: 'ann to complete the challenge',
      });
      expect((await view.app.inject({ url: '/progress/ann' })).json()).toEqual({
        reader: 'ann',
        goal: 2,
        books: 2,
        completed: true,
      });
      expect((await view.app.inject({ url: '/progress/bob' })).statusCode).toBe(404);
    } finally {
      await view.stop();
      await view.app.close();
      await engine.close();
      await bus.close();
    }
  });
});

// The event-bus contract: the same suite every Bookshelf adapter passes. Point it at your own adapter's factory.
const journals = await mkdtemp(join(tmpdir(), 'challenge-bus-'));
afterAll(() => rm(journals, { recursive: true, force: true }));
const journal = (testId: string) => ({
  kind: 'memory' as const,
  file: join(journals, `${testId}.jsonl`),
  partitions: 2,
});
describeEventBus(
  'the memory bus, from the example',
  (ctx, overrides) => createEventBus({ ...journal(ctx.testId), ...overrides }),
  {
    partitions: 2,
    pushRaw: async (bus, topic, lines) => {
      await (bus as MemoryEventBus).publishRaw(
        topic,
        lines.map((value) => ({ value })),
      );
    },
    childBusOptions: (ctx) => journal(ctx.testId),
    declaredPartitions: 'enforced',
    sharedAcrossProcesses: false,
    keyOrderAcrossTakeover: true,
    takeoverTimeoutMs: 10_000,
    orderingEvents: 2_000,
  },
);
