import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEventBus, type Envelope, type EventBus } from '../../../../eventlib/index.js';
import { startLogDecider, type LogDecider } from '../../../../platform/index.js';
import { deciderSpec } from '../../../../platform/testing/index.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';
import { accountCommand, accounts, accountsWire, audit, type AccountsState } from '../../../helpers/accountsDecider.js';

const log = pino({ level: 'silent' });
const PARTITIONS = 4;

describe('the accounts test decider (given/when/then)', () => {
  const spec = deciderSpec(accounts, { context: undefined });
  const deposited = { type: 'deposited', commandId: 'c1', account: 'a', amount: 10 } as const;

  it('withdraws what the balance covers and refuses more', () => {
    spec
      .given([deposited])
      .when({ type: 'withdraw', commandId: 'c2', account: 'a', amount: 10 })
      .thenMatch([{ type: 'withdrawn' }]);
    spec
      .given([deposited])
      .when({ type: 'withdraw', commandId: 'c2', account: 'a', amount: 11 })
      .then([{ type: 'withdrawal-refused', commandId: 'c2', account: 'a', amount: 11, balance: 10 }]);
  });

  it('decides a command it has an outcome for as nothing, and rejects a bad amount', () => {
    spec.given([deposited]).when({ type: 'deposit', commandId: 'c1', account: 'a', amount: 10 }).thenNothing();
    spec
      .given()
      .when({ type: 'deposit', commandId: 'c3', account: 'a', amount: -1 })
      .thenFails({ rejected: 'amount must be positive, got -1' });
  });
});

describe('startLogDecider (the write-side engine) on the memory bus', () => {
  let buses: EventBus[] = [];
  let deciders: LogDecider<AccountsState>[] = [];
  afterEach(async () => {
    await Promise.allSettled(deciders.map((d) => d.close()));
    await Promise.allSettled(buses.map((b) => b.close()));
    buses = [];
    deciders = [];
  });

  const setup = async () => {
    const bus = await createEventBus({ kind: 'memory', partitions: PARTITIONS });
    buses.push(bus);
    const topics = { commands: uniqueName('account-commands'), events: uniqueName('account-events') };
    for (const t of Object.values(topics)) await bus.ensureTopic(t, { partitions: PARTITIONS });
    const start = async (name: string, maxBatch?: number) => {
      const d = await startLogDecider(bus, {
        name,
        commandsTopic: topics.commands,
        eventsTopic: topics.events,
        group: 'accounts',
        decider: accounts,
        wire: accountsWire,
        log,
        ...(maxBatch ? { maxBatch } : {}),
      });
      deciders.push(d);
      return d;
    };
    const readAll = async (topic: string): Promise<Envelope[]> => {
      const seen: Envelope[] = [];
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('audit'),
        handler: (e) => void seen.push(e),
      });
      await sub.waitUntilCaughtUp(10_000);
      await sub.close();
      return seen;
    };
    return { bus, topics, start, readAll };
  };

  /** Deposits and withdrawals over `accountCount` accounts, some withdrawals larger than the balance. */
  const workload = (n: number, accountCount: number, prefix: string) =>
    Array.from({ length: n }, (_, i) =>
      accountCommand(i % 3 === 2 ? 'withdraw' : 'deposit', `${prefix}-${i}`, `acc-${i % accountCount}`, 1 + (i % 7)),
    );

  it('decides a backlog a batch at a time: one outcome per command, balances never negative', async () => {
    const { bus, topics, start, readAll } = await setup();
    const commands = workload(600, 12, 'backlog');
    await bus.publish(topics.commands, commands);
    const d = await start('owner-1', 100);
    await waitFor(() => d.stats().decided === 600, { timeoutMs: 20_000, what: 'every command decided' });
    const { outcomes, lowest, balances } = audit(await readAll(topics.events));
    expect(outcomes.size).toBe(600);
    expect([...outcomes.values()].every((n) => n === 1)).toBe(true);
    expect(lowest).toBeGreaterThanOrEqual(0);
    // Group commit: the backlog was decided in batches, not one command per append.
    expect(d.stats().largestBatch).toBeGreaterThan(1);
    expect(d.stats().largestBatch).toBeLessThanOrEqual(100);
    expect(d.stats().batches).toBeLessThan(600);
    // The state of each partition is that partition's part of the log.
    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) for (const b of d.state(p).balances.values()) total += b;
    expect(total).toBe([...balances.values()].reduce((a, b) => a + b, 0));
  });

  it('appends nothing for a redelivered or repeated command, and dead-letters a malformed or rejected one', async () => {
    const { bus, topics, start, readAll } = await setup();
    const d = await start('owner-1');
    const deposit = accountCommand('deposit', 'same', 'acc-1', 5);
    const bad = accountCommand('deposit', 'bad', 'acc-1', -3);
    const junk = { ...accountCommand('deposit', 'junk', 'acc-1', 1), type: 'close-account' };
    const positions = await bus.publish(topics.commands, [
      deposit,
      deposit,
      bad,
      junk,
      accountCommand('withdraw', 'w', 'acc-1', 5),
    ]);
    await d.commands.waitForPosition(positions.at(-1)!, 10_000);
    const { outcomes, balances } = audit(await readAll(topics.events));
    expect(Object.fromEntries(outcomes)).toEqual({ same: 1, w: 1 });
    expect(balances.get('acc-1')).toBe(0);
    expect(d.stats()).toMatchObject({ decided: 2, duplicates: 1, deadLettered: 2 });
    const letters = await readAll(`${topics.commands}.dlq`);
    expect(letters.map((l) => (l.data as { reason: string }).reason).sort()).toEqual([
      'amount must be positive, got -3',
      'not an account command: close-account',
    ]);
  });

  it('skips what is no command, hands rejections, folded events and appended positions to the hooks', async () => {
    const { bus, topics } = await setup();
    const rejected: string[] = [];
    const folded: string[] = [];
    const appended: { types: string[]; positions: number }[] = [];
    const d = await startLogDecider(bus, {
      name: 'hooks',
      commandsTopic: topics.commands,
      eventsTopic: topics.events,
      group: 'accounts-hooks',
      decider: accounts,
      // An envelope of another type is no command of this decider: skipped, never dead-lettered.
      wire: { ...accountsWire, command: (e) => (e.type === 'note' ? undefined : accountsWire.command(e)) },
      log,
      onRejection: (rejection, command) => {
        rejected.push(`${command.commandId}: ${rejection.rejected}`);
        return { kind: 'ack' };
      },
      onFolded: (envelope) => void folded.push(envelope.type),
      afterAppend: async (events, positions) =>
        void appended.push({ types: events.map((e) => e.type), positions: positions.length }),
    });
    deciders.push(d);
    const positions = await bus.publish(topics.commands, [
      { ...accountCommand('deposit', 'n', 'acc-1', 1), type: 'note' },
      accountCommand('deposit', 'bad', 'acc-1', -3),
      accountCommand('deposit', 'ok', 'acc-1', 4),
    ]);
    await d.commands.waitForPosition(positions.at(-1)!, 10_000);
    await d.catchUp();
    expect(rejected).toEqual(['bad: amount must be positive, got -3']);
    expect(folded).toEqual(['deposited']);
    expect(appended).toEqual([{ types: ['deposited'], positions: 1 }]);
    expect(d.stats()).toMatchObject({ decided: 1, duplicates: 0, deadLettered: 0 });
    expect(d.commands.stats()).toMatchObject({ skipped: 1 });
  });

  it(`splits ${PARTITIONS} partitions between two owners; a takeover loses and doubles nothing`, async () => {
    const { bus, topics, start, readAll } = await setup();
    const a = await start('owner-a', 20);
    const b = await start('owner-b', 20);
    await bus.publish(topics.commands, workload(400, 16, 'first'));
    await waitFor(() => a.stats().decided + b.stats().decided === 400, { timeoutMs: 20_000, what: 'the first half' });
    // Both owned partitions: each decided part of the work.
    expect(a.stats().decided).toBeGreaterThan(0);
    expect(b.stats().decided).toBeGreaterThan(0);
    // Owner a leaves mid-stream; b takes its partitions over, and its state already holds a's events.
    const second = workload(400, 16, 'second');
    const publishing = bus.publish(topics.commands, second.slice(0, 200));
    await a.close();
    await publishing;
    await bus.publish(topics.commands, second.slice(200));
    await waitFor(async () => audit(await readAll(topics.events)).outcomes.size === 800, {
      timeoutMs: 20_000,
      what: 'every command decided once',
    });
    const { outcomes, lowest } = audit(await readAll(topics.events));
    expect([...outcomes.values()].every((n) => n === 1)).toBe(true);
    expect(lowest).toBeGreaterThanOrEqual(0);
  });
});
