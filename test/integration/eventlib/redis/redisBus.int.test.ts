import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  busOptionsFromUrl,
  createEventBus,
  DeadLetterDataSchema,
  newEvent,
  type Envelope,
  type EventBus,
} from '../../../../eventlib/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';

const exec = promisify(execFile);
const { redisUrl } = infra();
const cli = async (...args: string[]) => (await exec('redis-cli', ['-u', redisUrl, ...args])).stdout.trim();
const book = (seq: number) => newEvent({ type: 'book-added', key: 'k', data: { seq } });

let buses: EventBus[] = [];
afterEach(async () => {
  await Promise.allSettled(buses.map((b) => b.close()));
  buses = [];
});
const open = async (...args: Parameters<typeof createEventBus>) => {
  const bus = await createEventBus(...args);
  buses.push(bus);
  return bus;
};

describe('redis bus specifics (shared server)', () => {
  it('creates the group at 0 with MKSTREAM, so entries added before the first worker are not lost', async () => {
    const stream = uniqueName('redis-early');
    await cli('XADD', stream, '*', 'event', JSON.stringify(book(0)), 'key', 'k');
    const bus = await open({ kind: 'redis', url: redisUrl });
    const seen: Envelope[] = [];
    const sub = await bus.subscribe({ topics: [stream], group: 'workers', handler: (e) => void seen.push(e) });
    await sub.waitUntilCaughtUp(10_000);
    expect(seen.map((e) => e.data)).toEqual([{ seq: 0 }]);
    expect(await cli('XINFO', 'GROUPS', stream)).toMatch(/workers/);
    // A group on a stream that does not exist yet is created with the stream.
    const empty = uniqueName('redis-empty');
    await bus.subscribe({ topics: [empty], group: 'workers', handler: () => undefined });
    expect(await cli('EXISTS', empty)).toBe('1');
  });

  it('trims streams with an approximate MAXLEN', async () => {
    const stream = uniqueName('redis-trim');
    const bus = await open({ kind: 'redis', url: redisUrl, maxLen: 100 });
    for (let i = 0; i < 10; i++)
      await bus.publish(
        stream,
        Array.from({ length: 100 }, (_, j) => book(i * 100 + j)),
      );
    const length = Number(await cli('XLEN', stream));
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(1_000);
  });

  it('dead-letters a reclaimed entry that exceeded the delivery cap instead of handling it again', async () => {
    const stream = uniqueName('redis-cap');
    await cli('XGROUP', 'CREATE', stream, 'g', '0', 'MKSTREAM');
    const id = await cli('XADD', stream, '*', 'event', JSON.stringify(book(1)), 'key', 'k');
    // Consumers that keep dying: one delivery by XREADGROUP, then four more by XCLAIM.
    await cli('XREADGROUP', 'GROUP', 'g', 'dead-1', 'COUNT', '1', 'STREAMS', stream, '>');
    for (let i = 2; i <= 5; i++) await cli('XCLAIM', stream, 'g', `dead-${i}`, '0', id);
    const good = await cli('XADD', stream, '*', 'event', JSON.stringify(book(2)), 'key', 'k');

    const bus = await open({ kind: 'redis', url: redisUrl, claimIdleMs: 20, maxDeliveries: 3 });
    const seen: Envelope[] = [];
    const sub = await bus.subscribe({ topics: [stream], group: 'g', handler: (e) => void seen.push(e) });
    await sub.waitForPosition({ topic: stream, partition: 0, offset: good }, 10_000);
    await waitFor(async () => (await cli('XPENDING', stream, 'g')).startsWith('0'), { what: 'nothing pending' });
    expect(seen.map((e) => e.data)).toEqual([{ seq: 2 }]);
    expect(sub.stats()).toMatchObject({ deadLettered: 1, acked: 1 });

    const letters: Envelope[] = [];
    const dlq = await bus.subscribe({
      topics: [`${stream}.dlq`],
      group: 'reader',
      handler: (e) => void letters.push(e),
    });
    await dlq.waitUntilCaughtUp(10_000);
    expect(letters).toHaveLength(1);
    expect(DeadLetterDataSchema.parse(letters[0]!.data)).toMatchObject({
      cause: 'delivery-cap',
      source: { offset: id },
    });
  });

  it('turns an entry pushed by hand with plain fields into a bare JSON object for the ingest rule', async () => {
    const stream = uniqueName('redis-fields');
    const bus = await open({ kind: 'redis', url: redisUrl });
    const seen: Envelope[] = [];
    const sub = await bus.subscribe({
      topics: [stream],
      group: 'g',
      ingest: { bareJson: { type: 'book-added' } },
      handler: (e) => void seen.push(e),
    });
    const id = await cli('XADD', stream, '*', 'key', 'b9', 'title', 'Dune', 'author', 'Herbert');
    await sub.waitForPosition({ topic: stream, partition: 0, offset: id }, 10_000);
    expect(seen.map((e) => [e.type, e.key, e.data])).toEqual([
      ['book-added', 'b9', { title: 'Dune', author: 'Herbert' }],
    ]);
  });

  it('stops with EVT_ERR_LOG_RESET when the stream is deleted under it (onLogReset: fail, the default)', async () => {
    const stream = uniqueName('redis-deleted');
    const bus = await open({ kind: 'redis', url: redisUrl, blockMs: 100 });
    const seen: Envelope[] = [];
    const sub = await bus.subscribe({ topics: [stream], group: 'g', handler: (e) => void seen.push(e) });
    const [p] = await bus.publish(stream, [book(1)]);
    await sub.waitForPosition(p!, 10_000);
    await cli('DEL', stream); // what a server restarted without its data looks like to a running consumer
    const failure = await sub.failed;
    expect(failure).toMatchObject({ code: 'EVT_ERR_LOG_RESET', retriable: false });
    expect(failure.message).toContain(stream);
    // Stopped: nothing recreated the stream behind the service's back, and waits end with the reason.
    expect(await cli('EXISTS', stream)).toBe('0');
    await expect(sub.waitUntilCaughtUp(1_000)).rejects.toMatchObject({ code: 'EVT_ERR_LOG_RESET' });
    await bus.publish(stream, [book(2)]);
    expect(seen.map((e) => e.data)).toEqual([{ seq: 1 }]);
    await sub.close(); // still idempotent
  });

  it('notices a stream recreated under it (entries-added went back) even when its group exists again', async () => {
    const stream = uniqueName('redis-recreated');
    const bus = await open({ kind: 'redis', url: redisUrl, blockMs: 100, claimIdleMs: 200 });
    const sub = await bus.subscribe({ topics: [stream], group: 'g', handler: () => undefined });
    const [p] = await bus.publish(stream, [book(1), book(2)]);
    await sub.waitForPosition(p!, 10_000);
    // Another member (or a restarted service) created the group again on a fresh stream before this one read.
    await cli(
      'EVAL',
      "redis.call('DEL', KEYS[1]); return redis.call('XGROUP', 'CREATE', KEYS[1], 'g', '0', 'MKSTREAM')",
      '1',
      stream,
    );
    const failure = await sub.failed;
    expect(failure.code).toBe('EVT_ERR_LOG_RESET');
    expect(failure.message).toContain(stream);
  });

  it('with onLogReset: replay, calls onReset, recreates the group at 0 and consumes the new log', async () => {
    const stream = uniqueName('redis-replay');
    const bus = await open({ kind: 'redis', url: redisUrl, blockMs: 100 });
    let state: number[] = [];
    const resets: { topic: string; reason: string }[] = [];
    const sub = await bus.subscribe({
      topics: [stream],
      group: 'view',
      onLogReset: 'replay',
      onReset: (reset) => {
        resets.push(reset);
        state = [];
      },
      handler: (e) => void state.push((e.data as { seq: number }).seq),
    });
    const [p] = await bus.publish(stream, [book(1), book(2)]);
    await sub.waitForPosition(p!, 10_000);
    await cli('DEL', stream);
    await waitFor(() => resets.length === 1, { what: 'the onReset hook' });
    expect(resets[0]!.topic).toBe(stream);
    expect(await cli('XINFO', 'GROUPS', stream)).toMatch(/view/);
    const [q] = await bus.publish(stream, [book(7)]);
    await sub.waitForPosition(q!, 10_000);
    expect(state).toEqual([7]);
    await expect(
      bus.subscribe({ topics: [stream], group: 'x', onReset: () => undefined, handler: () => undefined }),
    ).rejects.toMatchObject({ code: 'EVT_ERR_INVALID_OPTIONS' });
  });

  it('waitUntilCaughtUp asks the server: a subscription whose reading connection broke is not "caught up"', async () => {
    const stream = uniqueName('caught');
    // A database of its own, so only this test's reader is dropped on the shared server.
    const url = `${redisUrl.replace(/\/\d*$/, '')}/7`;
    const bus = await open({ kind: 'redis', url, blockMs: 5_000 });
    const seen: number[] = [];
    const sub = await bus.subscribe({
      topics: [stream],
      group: uniqueName('g'),
      handler: (e) => void seen.push((e.data as { seq: number }).seq),
    });
    await sub.waitUntilCaughtUp(10_000);
    // The server drops the subscription's blocked reader (a Redis restart, a network cut): its last read was
    // empty, so a local "drained" flag still says caught up while it reconnects.
    const clients = await cli('CLIENT', 'LIST');
    for (const line of clients.split('\n').filter((l) => / db=7 /.test(l) && /cmd=xreadgroup/.test(l))) {
      await cli('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(line)![1]!);
    }
    await exec('redis-cli', ['-u', url, 'XADD', stream, '*', 'event', JSON.stringify(book(1))]);
    await sub.waitUntilCaughtUp(10_000);
    expect(seen).toEqual([1]);
  });

  it('is not caught up while an entry delivered to this member before a break is still pending (below applied ones)', async () => {
    const stream = uniqueName('redis-lost-delivery');
    await cli('XGROUP', 'CREATE', stream, 'g', '0', 'MKSTREAM');
    const first = (await cli('XADD', stream, '*', 'event', JSON.stringify(book(0)), 'key', 'k')).trim();
    await cli('XREADGROUP', 'GROUP', 'g', 'other', 'COUNT', '1', 'STREAMS', stream, '>');
    const bus = await open({ kind: 'redis', url: redisUrl, claimIdleMs: 60_000 });
    const seen: number[] = [];
    const sub = await bus.subscribe({
      topics: [stream],
      group: 'g',
      consumerName: 'me',
      handler: (e) => void seen.push((e.data as { seq: number }).seq),
    });
    const [later] = await bus.publish(stream, [book(1)]);
    await sub.waitForPosition(later!, 10_000);
    // The first entry lands in this member's pending list without reaching its handler, as one delivered just
    // before its connection broke does: the log is not caught up, although the last entry is applied.
    await cli('XCLAIM', stream, 'g', 'me', '0', first);
    await expect(sub.waitUntilCaughtUp(1_500)).rejects.toMatchObject({ code: 'EVT_ERR_TIMEOUT' });
    expect(seen).toEqual([1]);
    await cli('XACK', stream, 'g', first);

    // A real lost delivery: the reader's connection breaks, and an entry is delivered to this member's name while
    // it reconnects. It reads its own pending list before anything new, long before a sweep would reclaim the
    // entry (claimIdleMs is a minute here).
    const clients = await cli('CLIENT', 'LIST');
    for (const line of clients.split('\n').filter((l) => /cmd=xreadgroup/.test(l))) {
      await cli('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(line)![1]!);
    }
    await cli('XADD', stream, '*', 'event', JSON.stringify(book(2)), 'key', 'k');
    await cli('XREADGROUP', 'GROUP', 'g', 'me', 'COUNT', '1', 'STREAMS', stream, '>');
    await waitFor(() => seen.includes(2), { timeoutMs: 10_000, what: 'the entry lost with the connection' });
    await sub.waitUntilCaughtUp(10_000);
    expect(seen).toEqual([1, 2]);
  });

  it('reports lag for the whole group from XINFO GROUPS (undelivered + pending)', async () => {
    const stream = uniqueName('redis-lag');
    await cli('XGROUP', 'CREATE', stream, 'g', '0', 'MKSTREAM');
    for (let i = 0; i < 4; i++) await cli('XADD', stream, '*', 'event', JSON.stringify(book(i)), 'key', 'k');
    await cli('XREADGROUP', 'GROUP', 'g', 'other', 'COUNT', '1', 'STREAMS', stream, '>');
    const bus = await open({ kind: 'redis', url: redisUrl, claimIdleMs: 60_000 });
    const sub = await bus.subscribe({ topics: [stream], group: 'g', handler: () => undefined });
    await sub.waitUntilCaughtUp(10_000);
    // Three handled here; one still pending on the (live, not yet idle) consumer "other".
    expect(await sub.lag()).toBe(1);
  });
});

describe('redis bus connection options (a private redis-server on a unix socket, with a password)', () => {
  let dir: string;
  let server: ChildProcess;
  let socket: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventlib-redis-'));
    socket = join(dir, 'redis.sock');
    server = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--unixsocket',
        socket,
        '--requirepass',
        's3cret',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      async () =>
        (await exec('redis-cli', ['-s', socket, '-a', 's3cret', '--no-auth-warning', 'PING'])).stdout.trim() === 'PONG',
      { what: 'the private redis-server' },
    );
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('connects through unix:///path?db=&password= and writes to that database', async () => {
    const bus = await open(busOptionsFromUrl(`unix://${socket}?db=3&password=s3cret`));
    const stream = uniqueName('unix');
    await bus.publish(stream, [book(1), book(2)]);
    const { stdout } = await exec('redis-cli', [
      '-s',
      socket,
      '-a',
      's3cret',
      '--no-auth-warning',
      '-n',
      '3',
      'XLEN',
      stream,
    ]);
    expect(stdout.trim()).toBe('2');
    const seen: Envelope[] = [];
    const sub = await bus.subscribe({ topics: [stream], group: 'g', handler: (e) => void seen.push(e) });
    await sub.waitUntilCaughtUp(10_000);
    expect(seen).toHaveLength(2);
  });

  it('reports a wrong password as EVT_ERR_AUTH and a missing server as EVT_ERR_CONNECTION', async () => {
    await expect(createEventBus({ kind: 'redis', socket: { path: socket }, password: 'wrong' })).rejects.toMatchObject({
      code: 'EVT_ERR_AUTH',
      retriable: false,
    });
    await expect(createEventBus({ kind: 'redis', socket: { path: join(dir, 'nothing.sock') } })).rejects.toMatchObject({
      code: 'EVT_ERR_CONNECTION',
      retriable: true,
    });
  });
});
