import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultPlatform, type FaultPlatform, type Transport } from './support/platform.js';
import {
  burst,
  newAcknowledged,
  secondsUntilServing,
  type Acknowledged,
  type BurstFigures,
} from './support/workload.js';
import { verify, type ShopStart } from './support/verify.js';

/**
 * Issue 13, point 6: the fault suite. On each transport, with every service its own process on a stack of its
 * own: kill -9 of the workers mid-burst, a crash and restart of the broker (Kafka) or the Redis server mid-burst,
 * and a restart of the Consul agent (it comes back empty). After each: nothing acknowledged is lost, nothing is
 * applied twice (by idempotency key and by request id), the lending invariants hold and the saga conserves stock
 * and money. The figures are printed (and kept in docs/RELIABILITY.md).
 */
const rows: string[] = [];
const row = (transport: string, fault: string, b: BurstFigures, f: { lost: number; doubled: number }, s: number) =>
  rows.push(
    `| ${transport} | ${fault} | ${b.acknowledged} | ${f.lost} | ${f.doubled} | ${b.retried} | ${b.gaveUp} | ${s} |`,
  );

afterAll(() => {
  console.log(
    [
      '',
      '| transport | fault | acknowledged writes | lost | doubled | retried (same key) | gave up | serving again after (s, from the crash) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
});

describe.each<Transport>(['kafka', 'redis'])('faults on %s', (transport) => {
  let platform: FaultPlatform;
  let shop: ShopStart;
  const acked: Acknowledged = newAcknowledged();

  beforeAll(async () => {
    platform = await startFaultPlatform(transport);
    const init = await fetch(`${platform.gateway}/init-data`, { method: 'POST' });
    expect(init.status).toBe(200);
    shop = (await (await fetch(`${platform.gateway}/report`)).json()) as ShopStart;
  }, 300_000);
  afterAll(async () => {
    await platform?.stop();
  }, 120_000);

  /** The fault starts now: probe the whole path from this moment on, beside the burst. */
  const faultStarts = () => {
    const since = Date.now();
    return secondsUntilServing(platform.gateway, since);
  };

  const expectSound = async (fault: string, b: BurstFigures, recovery: Promise<number> | undefined) => {
    const seconds = await recovery!.catch((err: Error) => {
      const tails = ['gateway', 'lending', 'lendingview', 'w1', 'w2']
        .map((k) => `--- ${k}\n${platform.output(k).split('\n').slice(-15).join('\n')}`)
        .join('\n');
      throw new Error(`${err.message}\n${tails}`);
    });
    const f = await verify(platform, acked, shop);
    row(transport, fault, b, f, seconds);
    expect(b.rejected).toEqual([]);
    expect({ lost: f.lost, doubled: f.doubled, lostWhat: f.lostWhat, doubledWhat: f.doubledWhat }).toEqual({
      lost: 0,
      doubled: 0,
      lostWhat: [],
      doubledWhat: [],
    });
    expect(f.lendingViolations).toEqual([]);
    expect(f.conservation).toEqual([]);
    expect(b.acknowledged).toBeGreaterThan(0);
  };

  it('kill -9 of the lending workers and the saga mid-burst', async () => {
    let recovery: Promise<number> | undefined;
    const b = await burst(platform.gateway, acked, {
      seconds: 6,
      clients: 6,
      label: `${transport}-kill`,
      during: async () => {
        await new Promise((r) => setTimeout(r, 2000));
        await Promise.all([platform.kill('w1'), platform.kill('w2'), platform.kill('saga')]);
        recovery = faultStarts();
        await Promise.all([platform.start('w1'), platform.start('w2'), platform.start('saga')]);
      },
    });
    await expectSound('kill -9 of both workers and the saga', b, recovery);
  });

  it(`crash and restart of the ${transport === 'kafka' ? 'Kafka broker' : 'Redis server'} mid-burst`, async () => {
    let recovery: Promise<number> | undefined;
    const server = transport === 'kafka' ? platform.stack.servers.kafka : platform.stack.servers.redis;
    const b = await burst(platform.gateway, acked, {
      seconds: 6,
      clients: 6,
      label: `${transport}-server`,
      during: async () => {
        await new Promise((r) => setTimeout(r, 2000));
        await server.kill();
        recovery = faultStarts();
        await server.start();
      },
    });
    await expectSound(`crash of the ${transport === 'kafka' ? 'broker' : 'Redis server'}`, b, recovery);
  });

  it('restart of the Consul agent (it comes back empty) mid-burst', async () => {
    let recovery: Promise<number> | undefined;
    const b = await burst(platform.gateway, acked, {
      seconds: 6,
      clients: 6,
      label: `${transport}-consul`,
      during: async () => {
        await new Promise((r) => setTimeout(r, 2000));
        await platform.stack.servers.consul.kill();
        recovery = faultStarts();
        await platform.stack.servers.consul.start();
      },
    });
    await expectSound('restart of the Consul agent', b, recovery);
  });
});
