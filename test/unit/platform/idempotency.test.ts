import { describe, expect, it } from 'vitest';
import { newEvent, type Envelope, type Position } from '../../../eventlib/index.js';
import {
  IDEMPOTENCY_METADATA,
  IdempotencyLedger,
  idempotentWrites,
  keyedRequest,
  stampIdempotency,
} from '../../../platform/index.js';

const request = (key: string | undefined, body: unknown, url = '/books', method = 'POST') => ({
  method,
  url,
  headers: key === undefined ? {} : { 'idempotency-key': key },
  body,
});
const at = (offset: number): Position => ({ topic: 't', partition: 0, offset: String(offset) });
const event = (n: number) => newEvent({ type: 'book-added', key: 'k', data: { n } });

describe('keyedRequest', () => {
  it('is undefined without the header, and fingerprints method, path (not the query) and body', () => {
    expect(keyedRequest(request(undefined, {}))).toBeUndefined();
    const a = keyedRequest(request('k1', { title: 'Dune' }))!;
    expect(a.key).toBe('k1');
    expect(keyedRequest(request('k1', { title: 'Dune' }, '/books?wait=true'))!.requestHash).toBe(a.requestHash);
    expect(keyedRequest(request('k1', { title: 'Emma' }))!.requestHash).not.toBe(a.requestHash);
    expect(keyedRequest(request('k1', { title: 'Dune' }, '/other'))!.requestHash).not.toBe(a.requestHash);
    expect(keyedRequest(request('k1', { title: 'Dune' }, '/books', 'PUT'))!.requestHash).not.toBe(a.requestHash);
  });

  it.each([[''], ['with space'], ['x'.repeat(256)], ['é']])(
    'refuses the key %j with 400 REST_ERR_VALIDATION',
    (key) => {
      expect(() => keyedRequest(request(key, {}))).toThrow(
        expect.objectContaining({ status: 400, code: 'REST_ERR_VALIDATION' }) as Error,
      );
    },
  );
});

describe('IdempotencyLedger', () => {
  const keyed = { key: 'k1', requestHash: 'h1' };

  it('records the events of a keyed write by key, once per position, and ignores unkeyed events', () => {
    const ledger = new IdempotencyLedger();
    const [a, b] = stampIdempotency([event(1), event(2)], keyed);
    expect(a!.metadata[IDEMPOTENCY_METADATA.key]).toBe('k1');
    ledger.observe(a!, at(1));
    ledger.observe(b!, at(2));
    ledger.observe(a!, at(1)); // a replayed delivery
    ledger.observe(event(3), at(3));
    expect(ledger.lookup('k1')).toMatchObject({ requestHash: 'h1', positions: [at(1), at(2)] });
    expect(ledger.lookup('k1')!.events.map((e) => (e.data as { n: number }).n)).toEqual([1, 2]);
    expect(ledger.size).toBe(1);
  });

  it('forgets a key after the retention', () => {
    let now = Date.now();
    const ledger = new IdempotencyLedger({ retentionMs: 1000, now: () => now });
    ledger.observe(stampIdempotency([event(1)], keyed)[0]!, at(1));
    expect(ledger.lookup('k1')).toBeDefined();
    now += 5000;
    expect(ledger.lookup('k1')).toBeUndefined();
  });
});

describe('idempotentWrites', () => {
  const setup = () => {
    const ledger = new IdempotencyLedger();
    const log: { event: Envelope; position: Position }[] = [];
    let executed = 0;
    const run = idempotentWrites({
      ledger,
      // The ledger is fed from the log, as a service's replay subscription feeds it.
      settle: async () => {
        for (const { event: e, position } of log) ledger.observe(e, position);
      },
    });
    const execute = (n: number) => async (stamp: (events: readonly Envelope[]) => Envelope[]) => {
      executed += 1;
      await new Promise((r) => setTimeout(r, 10));
      const events = stamp([event(n)]);
      const positions = events.map((e) => {
        log.push({ event: e, position: at(log.length) });
        return at(log.length - 1);
      });
      return { events, positions };
    };
    return { run, execute, executed: () => executed, log };
  };

  it('given a keyed write in flight, when it is retried, then it runs once and both get its events', async () => {
    const { run, execute, executed } = setup();
    const keyed = keyedRequest(request('k1', { n: 1 }))!;
    const [first, retry] = await Promise.all([run(keyed, execute(1)), run(keyed, execute(1))]);
    expect(executed()).toBe(1);
    expect(retry.events).toEqual(first.events);
    expect([first.replayed, retry.replayed]).toEqual([false, true]);
  });

  it('given a keyed write in the log (a restarted service), when it is retried, then it is answered from the log', async () => {
    const first = setup();
    const keyed = keyedRequest(request('k1', { n: 1 }))!;
    const written = await first.run(keyed, first.execute(1));
    // A new service instance whose ledger only knows what the log holds:
    const ledger = new IdempotencyLedger();
    const again = idempotentWrites({
      ledger,
      settle: async () => {
        for (const { event: e, position } of first.log) ledger.observe(e, position);
      },
    });
    let executed = 0;
    const retry = await again(keyed, async () => {
      executed += 1;
      return { events: [], positions: [] };
    });
    expect(executed).toBe(0);
    expect(retry).toEqual({ events: written.events, positions: written.positions, replayed: true });
  });

  it('refuses the same key for another request with 422, in flight or recorded, and runs unkeyed writes each time', async () => {
    const { run, execute, executed } = setup();
    const inFlight = run(keyedRequest(request('k1', { n: 1 })), execute(1));
    await expect(run(keyedRequest(request('k1', { n: 2 })), execute(2))).rejects.toMatchObject({
      status: 422,
      code: 'REST_ERR_IDEMPOTENCY_KEY_REUSED',
    });
    await inFlight;
    await expect(run(keyedRequest(request('k1', { n: 2 })), execute(2))).rejects.toMatchObject({ status: 422 });
    await run(undefined, execute(3));
    await run(undefined, execute(3));
    expect(executed()).toBe(3);
  });

  it('a write that fails is not recorded: the retry runs again', async () => {
    const { run, execute, executed } = setup();
    const keyed = keyedRequest(request('k1', { n: 1 }))!;
    await expect(
      run(keyed, () => {
        throw new Error('broker down');
      }),
    ).rejects.toThrow('broker down');
    await run(keyed, execute(1));
    expect(executed()).toBe(1);
  });
});
