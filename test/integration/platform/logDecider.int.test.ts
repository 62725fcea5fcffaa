import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEventBus, type Envelope, type EventBus } from '../../../eventlib/index.js';
import { startLogDecider, type LogDecider } from '../../../platform/index.js';
import { infra } from '../../setup/infra.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';
import { accountCommand, accounts, accountsWire, audit, type AccountsState } from '../../helpers/accountsDecider.js';

/**
 * Issue 15, point 2: the write-side engine is partition-aware on a real broker. Two owners in one group split the 4
 * partitions of the command topic (Kafka's assignment is the ownership); when one leaves mid-stream, the other takes
 * its partitions over with their state (folded from those partitions' events), and nothing is lost or doubled.
 */
const PARTITIONS = 4;
const log = pino({ level: 'silent' });

describe('startLogDecider on Kafka: 4 partitions, 2 owners, a takeover', () => {
  let buses: EventBus[] = [];
  let deciders: LogDecider<AccountsState>[] = [];
  afterEach(async () => {
    await Promise.allSettled(deciders.map((d) => d.close()));
    await Promise.allSettled(buses.map((b) => b.close()));
    buses = [];
    deciders = [];
  });

  const kafka = async (clientId: string) => {
    const bus = await createEventBus({
      kind: 'kafka',
      brokers: infra().kafkaBrokers.split(','),
      clientId,
      partitions: PARTITIONS,
      logger: log,
    });
    buses.push(bus);
    return bus;
  };
  const readAll = async (bus: EventBus, topic: string): Promise<Envelope[]> => {
    const seen: Envelope[] = [];
    const sub = await bus.subscribe({ topics: [topic], group: uniqueName('audit'), handler: (e) => void seen.push(e) });
    await sub.waitUntilCaughtUp(30_000);
    await sub.close();
    return seen;
  };
  const workload = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) =>
      accountCommand(i % 3 === 2 ? 'withdraw' : 'deposit', `${prefix}-${i}`, `acc-${i % 16}`, 1 + (i % 7)),
    );

  it('splits the partitions, then one owner takes the other over: every command decided once, no balance below 0', async () => {
    const client = await kafka(uniqueName('client'));
    const topics = { commands: uniqueName('account-commands'), events: uniqueName('account-events') };
    for (const t of Object.values(topics)) await client.ensureTopic(t, { partitions: PARTITIONS });
    const group = uniqueName('accounts');
    const start = async (name: string) => {
      const d = await startLogDecider(await kafka(name), {
        name,
        commandsTopic: topics.commands,
        eventsTopic: topics.events,
        group,
        decider: accounts,
        wire: accountsWire,
        log,
      });
      deciders.push(d);
      return d;
    };
    const [a, b] = [await start('owner-a'), await start('owner-b')];
    await client.publish(topics.commands, workload(400, 'first'));
    await waitFor(() => a.stats().decided + b.stats().decided >= 400, {
      timeoutMs: 60_000,
      what: 'the first 400 commands decided',
    });
    // The broker gave each owner part of the partitions.
    expect(a.stats().decided).toBeGreaterThan(0);
    expect(b.stats().decided).toBeGreaterThan(0);

    const second = workload(400, 'second');
    const publishing = client.publish(topics.commands, second.slice(0, 200));
    await a.close();
    await publishing;
    await client.publish(topics.commands, second.slice(200));
    await waitFor(async () => audit(await readAll(client, topics.events)).outcomes.size === 800, {
      timeoutMs: 90_000,
      intervalMs: 1000,
      what: 'all 800 commands decided',
    });
    const { outcomes, lowest, balances } = audit(await readAll(client, topics.events));
    expect([...outcomes.values()].filter((n) => n !== 1)).toEqual([]);
    expect(lowest).toBeGreaterThanOrEqual(0);
    // The survivor's state of every partition matches that partition's events.
    let folded = 0;
    for (let p = 0; p < PARTITIONS; p++) for (const v of b.state(p).balances.values()) folded += v;
    expect(folded).toBe([...balances.values()].reduce((x, y) => x + y, 0));
    expect(b.stats().largestBatch).toBeGreaterThan(1);
  });
});
