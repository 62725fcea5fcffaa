// The load of the fault suite: clients that write through the gateway as a careful user does (every write with
// an Idempotency-Key, retried with the same key on 5xx and broken connections), and a probe that measures when
// the whole path (gateway -> lending -> worker -> view) answers again after a fault.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { POSITION_HEADER } from '../../../eventlib/index.js';
import { IDEMPOTENCY_KEY_HEADER } from '../../../platform/index.js';

export interface Acknowledged {
  /** Idempotency key -> book title (each title used once). */
  readonly books: Map<string, string>;
  /** Idempotency key -> lending request id. */
  readonly lending: Map<string, string>;
  /** Idempotency key -> order id. */
  readonly orders: Map<string, string>;
  /** Lending request id -> how it was acknowledged (for the report of a lost one). */
  readonly lendingAcks: Map<string, AckTrace>;
}

/** How a write was acknowledged: the written positions the service reported, the attempt and when. */
export interface AckTrace {
  key: string;
  attempt: number;
  at: string;
  written: string | null;
}

export interface BurstFigures {
  /** Writes answered 2xx. */
  acknowledged: number;
  /** Extra attempts after a 5xx or a broken connection (same key). */
  retried: number;
  /** Writes that never got a 2xx before their deadline (reported, not hidden). */
  gaveUp: number;
  /** 4xx answers: bugs in the workload or the platform. */
  rejected: string[];
}

export const newAcknowledged = (): Acknowledged => ({
  books: new Map(),
  lending: new Map(),
  orders: new Map(),
  lendingAcks: new Map(),
});

/** Books, users and shop items the workload uses: few enough that requests compete for copies and stock. */
const BOOKS = Array.from({ length: 30 }, (_, i) => `fault-book-${i}`);
const USERS = Array.from({ length: 25 }, (_, i) => `fault-user-${i}`);
const CUSTOMERS = ['101', '102', '103'];
const ITEMS = ['201', '202', '203', '204', '205'];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

type Op = 'book' | 'request' | 'return' | 'order';
const OPS: readonly Op[] = ['book', 'request', 'request', 'return', 'order'];

/** One write with retries under the same key until a 2xx, a 4xx, or the deadline. */
async function write(
  gateway: string,
  path: string,
  body: unknown,
  key: string,
  figures: BurstFigures,
  deadlineMs: number,
  onAck?: (trace: AckTrace) => void,
): Promise<unknown> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) figures.retried++;
    try {
      const res = await fetch(`${gateway}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDEMPOTENCY_KEY_HEADER]: key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.status < 300) {
        onAck?.({ key, attempt, at: new Date().toISOString(), written: res.headers.get(POSITION_HEADER) });
        return text ? (JSON.parse(text) as unknown) : undefined;
      }
      if (res.status < 500) {
        figures.rejected.push(`${path} ${res.status} ${text.slice(0, 200)}`);
        return undefined;
      }
    } catch {
      // connection refused or reset, timeout: retry with the same key
    }
    if (Date.now() > deadline) {
      figures.gaveUp++;
      return undefined;
    }
    await sleep(Math.min(1000, 100 * 2 ** Math.min(attempt, 3)));
  }
}

/**
 * `clients` concurrent clients writing for `seconds`; every acknowledged write is recorded in `acked`. A fault
 * is injected meanwhile by the caller (`during`), which the burst waits for before it ends.
 */
export async function burst(
  gateway: string,
  acked: Acknowledged,
  opts: { seconds: number; clients: number; label: string; during?: () => Promise<void> },
): Promise<BurstFigures> {
  const figures: BurstFigures = { acknowledged: 0, retried: 0, gaveUp: 0, rejected: [] };
  const end = Date.now() + opts.seconds * 1000;
  let faultDone = opts.during === undefined;
  const fault = opts.during?.().finally(() => (faultDone = true));
  const client = async (c: number) => {
    for (let n = 0; Date.now() < end || !faultDone; n++) {
      const op = OPS[(n + c) % OPS.length]!;
      const key = `${opts.label}-${c}-${n}-${randomUUID().slice(0, 8)}`;
      if (op === 'book') {
        const title = `Fault ${key}`;
        const book = (await write(gateway, '/bookshelf/books', { title, author: 'Chaos' }, key, figures, 90_000)) as
          { id: string } | undefined;
        if (book) acked.books.set(key, title);
        if (book) figures.acknowledged++;
      } else if (op === 'request' || op === 'return') {
        const books = [pick(BOOKS), pick(BOOKS)];
        const path = op === 'request' ? '/lending/requests' : '/lending/returns';
        let trace: AckTrace | undefined;
        const queued = (await write(gateway, path, { user: pick(USERS), books }, key, figures, 90_000, (t) => {
          trace = t;
        })) as { requestId: string } | undefined;
        if (queued) acked.lending.set(key, queued.requestId);
        if (queued && trace) acked.lendingAcks.set(queued.requestId, trace);
        if (queued) figures.acknowledged++;
      } else {
        const items = Array.from({ length: 1 + Math.floor(Math.random() * 2) }, () => pick(ITEMS));
        const order = (await write(
          gateway,
          '/order',
          { customer_id: pick(CUSTOMERS), product_ids: items },
          key,
          figures,
          90_000,
        )) as { id: string } | undefined;
        if (order) acked.orders.set(key, order.id);
        if (order) figures.acknowledged++;
      }
    }
  };
  await Promise.all([...Array.from({ length: opts.clients }, (_, c) => client(c)), fault]);
  return figures;
}

/**
 * Seconds from `since` until a lending request through the gateway is decided by a worker and read back
 * (`?wait=true`), probing every 250 ms.
 */
export async function secondsUntilServing(gateway: string, since: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${gateway}/lending/requests?wait=true&timeoutMs=2000`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: `probe-${randomUUID()}`, books: [`probe-${randomUUID()}`] }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 200) return Math.round((Date.now() - since) / 100) / 10;
    } catch {
      // not yet
    }
    await sleep(250);
  }
  throw new Error(`the platform did not serve again within ${timeoutMs} ms`);
}
