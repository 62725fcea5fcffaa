import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEventBus, newEvent, type EventBus, type MemoryEventBus } from '../../../../eventlib/index.js';
import { partitionFor } from '../../../../eventlib/memory/memoryBus.js';
import { waitFor } from '../../../helpers/wait.js';

const dir = await mkdtemp(join(tmpdir(), 'eventlib-memory-unit-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let buses: EventBus[] = [];
afterEach(async () => {
  await Promise.allSettled(buses.map((b) => b.close()));
  buses = [];
});
const open = async (file?: string, partitions = 1) => {
  const bus = (await createEventBus(
    file ? { kind: 'memory', file, partitions } : { kind: 'memory', partitions },
  )) as MemoryEventBus;
  buses.push(bus);
  return bus;
};
const book = (key: string, seq: number) => newEvent({ type: 'book-added', key, data: { seq } });

describe('memory bus specifics', () => {
  it('places keys on partitions deterministically', () => {
    expect(partitionFor('any', 1)).toBe(0);
    expect(partitionFor('book-1', 7)).toBe(partitionFor('book-1', 7));
    const used = new Set(Array.from({ length: 50 }, (_, i) => partitionFor(`k${i}`, 4)));
    expect(used.size).toBe(4);
  });

  it('keeps events and group positions in its journal across a restart', async () => {
    const file = join(dir, 'restart.jsonl');
    let bus = await open(file, 2);
    await bus.publish('books', [book('a', 0), book('b', 0), book('a', 1)]);
    const seen: number[] = [];
    let sub = await bus.subscribe({
      topics: ['books'],
      group: 'g',
      handler: (e) => void seen.push((e.data as { seq: number }).seq),
    });
    await sub.waitUntilCaughtUp(5_000);
    await bus.close();
    expect(seen).toHaveLength(3);

    bus = await open(file, 2);
    await bus.publish('books', [book('b', 1)]);
    const after: number[] = [];
    sub = await bus.subscribe({
      topics: ['books'],
      group: 'g',
      handler: (e) => void after.push((e.data as { seq: number }).seq),
    });
    await sub.waitUntilCaughtUp(5_000);
    expect(after).toEqual([1]);
    // A new group still sees the whole history.
    const all: number[] = [];
    const sub2 = await bus.subscribe({
      topics: ['books'],
      group: 'g2',
      handler: (e) => void all.push((e.data as { seq: number }).seq),
    });
    await sub2.waitUntilCaughtUp(5_000);
    expect(all).toHaveLength(4);
  });

  it('cuts a torn last line (a crash mid-write) and keeps going', async () => {
    const file = join(dir, 'torn.jsonl');
    let bus = await open(file);
    await bus.publish('books', [book('a', 0)]);
    await bus.close();
    await appendFile(file, '{"t":"rec","topic":"books","p":0,"k":"a","v":"{\\"half');
    bus = await open(file);
    await bus.publish('books', [book('a', 1)]);
    await bus.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.every((l) => JSON.parse(l) !== undefined)).toBe(true);
    bus = await open(file);
    const seen: number[] = [];
    const sub = await bus.subscribe({
      topics: ['books'],
      group: 'g',
      handler: (e) => void seen.push((e.data as { seq: number }).seq),
    });
    await sub.waitUntilCaughtUp(5_000);
    expect(seen).toEqual([0, 1]);
  });

  it('moves a leaving member’s partitions to the remaining member after its in-flight event', async () => {
    const bus = await open(undefined, 4);
    await bus.ensureTopic('books');
    const a: string[] = [];
    const b: string[] = [];
    const subA = await bus.subscribe({ topics: ['books'], group: 'g', handler: (e) => void a.push(e.key) });
    const subB = await bus.subscribe({ topics: ['books'], group: 'g', handler: (e) => void b.push(e.key) });
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    await bus.publish(
      'books',
      keys.map((k) => book(k, 0)),
    );
    await Promise.all([subA.waitUntilCaughtUp(5_000), subB.waitUntilCaughtUp(5_000)]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    await subA.close();
    const [aBefore, bBefore] = [a.length, b.length];
    await bus.publish(
      'books',
      keys.map((k) => book(k, 1)),
    );
    await waitFor(() => b.length === bBefore + 40, { what: 'member b to take over every partition' });
    await subB.waitUntilCaughtUp(5_000);
    expect(a.length).toBe(aBefore);
    expect(b.length).toBe(bBefore + 40);
  });

  it('publishRaw appends bytes as they are, for ingest rules to interpret', async () => {
    const bus = await open();
    const [p] = await bus.publishRaw('bookshelf', [{ value: 'The Hobbit' }]);
    const seen: unknown[] = [];
    const sub = await bus.subscribe({
      topics: ['bookshelf'],
      group: 'g',
      ingest: { text: { type: 'book-read', data: (title) => ({ title }) } },
      handler: (e) => void seen.push([e.type, e.data]),
    });
    await sub.waitForPosition(p!, 5_000);
    expect(seen).toEqual([['book-read', { title: 'The Hobbit' }]]);
  });
});
