// What the fault suite checks after each fault, from the views and from the log itself: nothing acknowledged
// lost, nothing applied twice, the lending invariants, and stock and money conserved by the order saga.
import { pino } from 'pino';
import {
  createEventBus,
  decodePositions,
  type Envelope,
  type EventBus,
  type Position,
} from '../../../eventlib/index.js';
import { IDEMPOTENCY_METADATA } from '../../../platform/index.js';
import {
  invariantViolations,
  lendingConfig,
  parseLendingEvent,
  replay,
  type LendingEvent,
} from '../../../aggregates/lending/domain/index.js';
import { lendingTopics } from '../../../aggregates/lending/wire.js';
import { waitFor } from '../../helpers/wait.js';
import type { Acknowledged } from './workload.js';
import type { FaultPlatform } from './platform.js';

export interface Figures {
  acknowledged: number;
  lost: number;
  /** What was lost, for the failure message: `book <title>`, `lending <request id>`, `order <id>`. */
  lostWhat: string[];
  doubled: number;
  /** What was doubled: `book <title> x2`, `key <key> (<type>) x2`, `outcome <request id> x2`. */
  doubledWhat: string[];
  lendingViolations: string[];
  conservation: string[];
}

/** Rows and customers right after `/init-data`, before any order. */
export interface ShopStart {
  inventory: { id: string; amount: number }[];
  customers: { id: string; balance: number }[];
}

const BOOKSHELF_TOPIC = 'bookshelf';
const ORDERS_TOPIC = 'bookshelf.orders';
const LENDING = lendingTopics();

const json = async <T>(url: string): Promise<T> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
};

export function openBus(platform: FaultPlatform): Promise<EventBus> {
  const { kafkaBrokers, redisUrl } = platform.stack.addresses;
  const logger = pino({ level: 'silent' });
  return platform.transport === 'kafka'
    ? createEventBus({ kind: 'kafka', brokers: kafkaBrokers, clientId: 'fault-verify', logger })
    : createEventBus({ kind: 'redis', url: redisUrl, logger });
}

/** Every envelope on `topic` now: a fresh group from the beginning, read to the end (positions into `at`). */
async function readLog(bus: EventBus, topic: string, at?: Position[]): Promise<Envelope[]> {
  const seen: Envelope[] = [];
  const sub = await bus.subscribe({
    topics: [topic],
    group: `fault-verify-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    from: 'beginning',
    handler: (e, ctx) => {
      seen.push(e);
      at?.push(ctx.position);
    },
  });
  try {
    await sub.waitUntilCaughtUp(60_000);
  } finally {
    await sub.close();
  }
  return seen;
}

/** How many events of `types` each idempotency key produced (a key with two creations is a doubled write). */
function perKey(events: readonly Envelope[], types: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = e.metadata[IDEMPOTENCY_METADATA.key];
    if (typeof key === 'string' && types.has(e.type)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Waits until everything acknowledged has settled (lending requests decided, orders final), then counts what is
 * lost and what is doubled, and checks the invariants on the whole log.
 */
export async function verify(platform: FaultPlatform, acked: Acknowledged, shop: ShopStart): Promise<Figures> {
  const gw = platform.gateway;
  const figures: Figures = {
    acknowledged: acked.books.size + acked.lending.size + acked.orders.size,
    lost: 0,
    lostWhat: [],
    doubled: 0,
    doubledWhat: [],
    lendingViolations: [],
    conservation: [],
  };

  // Lending: every acknowledged request reaches an outcome.
  const undecided = new Set(acked.lending.values());
  await waitFor(
    async () => {
      for (const id of [...undecided]) {
        const res = await fetch(`${gw}/lending/requests/${id}`);
        if (res.status === 200 && ((await res.json()) as { status: string }).status !== 'pending') undecided.delete(id);
      }
      return undecided.size === 0;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'every acknowledged lending request to be decided' },
  ).catch(() => undefined);
  figures.lost += undecided.size;

  // Orders: every acknowledged order exists and settles.
  const orders = await waitFor(
    async () => {
      const all = await json<{ id: string; status: string }[]>(`${gw}/orders`);
      const byId = new Map(all.map((o) => [o.id, o]));
      const mine = [...acked.orders.values()].map((id) => byId.get(id));
      return mine.every((o) => o && o.status !== 'pending') ? all : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'every acknowledged order to settle' },
  ).catch(() => json<{ id: string; status: string }[]>(`${gw}/orders`));
  const orderIds = new Set(orders.map((o) => o.id));
  const lostOrders = [...acked.orders.values()].filter((id) => !orderIds.has(id));
  figures.lost += lostOrders.length;
  figures.lostWhat.push(...lostOrders.map((id) => `order ${id}`));

  // Books: every acknowledged title is listed once.
  const titles = (await json<{ title: string }[]>(`${gw}/bookshelf/books`)).map((b) => b.title);
  const seen = new Map<string, number>();
  for (const t of titles) seen.set(t, (seen.get(t) ?? 0) + 1);
  for (const title of acked.books.values()) {
    const n = seen.get(title) ?? 0;
    if (n === 0) {
      figures.lost++;
      figures.lostWhat.push(`book ${title}`);
    }
    if (n > 1) {
      figures.doubled += n - 1;
      figures.doubledWhat.push(`book ${title} x${n}`);
    }
  }

  const commandLog: Position[] = [];
  const bus = await openBus(platform);
  try {
    const [bookEvents, commands, lendingLog, ordersLog] = await Promise.all([
      readLog(bus, BOOKSHELF_TOPIC),
      readLog(bus, LENDING.commands, commandLog),
      readLog(bus, LENDING.events),
      readLog(bus, ORDERS_TOPIC),
    ]);
    // Doubled by idempotency key: a key that created twice.
    for (const [what, counts] of [
      ['book-added', perKey(bookEvents, new Set(['book-added']))],
      ['lending command', perKey(commands, new Set(['lending-requested', 'return-requested']))],
      ['order-created', perKey(ordersLog, new Set(['order-created']))],
    ] as const) {
      for (const [key, n] of counts) {
        if (n <= 1) continue;
        figures.doubled += n - 1;
        figures.doubledWhat.push(`key ${key} (${what}) x${n}`);
      }
    }
    // Doubled by request id: one outcome per request.
    const lendingEvents = lendingLog.map((e) => parseLendingEvent(e)).filter((e): e is LendingEvent => !!e);
    const outcomes = new Map<string, number>();
    for (const e of lendingEvents) {
      if (e.type === 'books-lent' || e.type === 'lending-denied' || e.type === 'books-returned') {
        outcomes.set(e.data.requestId, (outcomes.get(e.data.requestId) ?? 0) + 1);
      }
    }
    for (const [requestId, n] of outcomes) {
      if (n <= 1) continue;
      figures.doubled += n - 1;
      figures.doubledWhat.push(`outcome ${requestId} x${n}`);
    }
    // Where an undecided request stopped: never queued, queued but not decided, or decided but not in the view.
    const queued = new Set(commands.map((e) => (e.data as { requestId?: string }).requestId));
    for (const id of undecided) {
      const where = !queued.has(id)
        ? 'not on the command log'
        : outcomes.has(id)
          ? 'decided, view behind'
          : 'queued, undecided';
      figures.lostWhat.push(`lending ${id} (${where})`);
      if (where === 'not on the command log') figures.lostWhat.push(traceOfLost(id, acked, commands, commandLog));
    }
    figures.lendingViolations = invariantViolations(replay(lendingEvents), lendingConfig());
    figures.conservation = conservation(ordersLog, orders, shop, await json(`${gw}/report`));
  } finally {
    await bus.close();
  }
  return figures;
}

/**
 * For an acknowledged lending request that is not on the command log: how it was acknowledged (attempt, time,
 * the positions the service reported) against what the log holds, so a failure says where the write went.
 */
function traceOfLost(id: string, acked: Acknowledged, commands: readonly Envelope[], log: readonly Position[]): string {
  const trace = acked.lendingAcks.get(id);
  const offsets = log.map((p) => BigInt(p.offset));
  const end = offsets.length === 0 ? 'empty' : `offsets ${offsets[0]}..${offsets.at(-1)} (${offsets.length} read)`;
  const there = (trace?.written ? decodePositions(trace.written) : []).map((w) => {
    const i = log.findIndex((p) => p.topic === w.topic && p.partition === w.partition && p.offset === w.offset);
    const e = commands[i];
    return i < 0
      ? `nothing at ${w.offset}`
      : `at ${w.offset}: ${JSON.stringify({ ...(e!.data as object), key: e!.metadata[IDEMPOTENCY_METADATA.key] })}`;
  });
  const sameKey = commands.filter((e) => e.metadata[IDEMPOTENCY_METADATA.key] === trace?.key).length;
  return `  acknowledged ${JSON.stringify(trace ?? null)}; the command log read: ${end}; ${there.join('; ')}; commands with its key: ${sameKey}`;
}

interface OrdersData {
  id?: string;
  order_id?: string;
  customer_id?: string;
  amount?: number;
  items?: { inventory_id: string; quantity: number }[];
}

/** Stock and balances equal the start minus what shipped orders took and paid; each order settled once. */
function conservation(
  log: readonly Envelope[],
  orders: readonly { id: string; status: string }[],
  shop: ShopStart,
  report: ShopStart,
): string[] {
  const problems: string[] = [];
  const data = (e: Envelope) => e.data as OrdersData;
  const count = (type: string, id: string) =>
    log.filter((e) => e.type === type && (data(e).order_id ?? data(e).id) === id).length;
  for (const o of orders) {
    if (o.status === 'pending') continue;
    const reserved = count('stock-reserved', o.id);
    if (reserved + count('stock-reservation-failed', o.id) !== 1) problems.push(`order ${o.id}: reserved ${reserved}x`);
    if (count('customer-charged', o.id) + count('charge-failed', o.id) !== reserved)
      problems.push(`order ${o.id}: charges`);
    if (count('order-status-changed', o.id) !== 1)
      problems.push(`order ${o.id}: settled ${count('order-status-changed', o.id)}x`);
  }
  const shipped = new Set(orders.filter((o) => o.status === 'to-be-shipped').map((o) => o.id));
  const stock = new Map(shop.inventory.map((r) => [r.id, r.amount]));
  const cents = new Map(shop.customers.map((c) => [c.id, Math.round(c.balance * 100)]));
  for (const e of log) {
    const d = data(e);
    if (e.type === 'stock-reserved' && shipped.has(d.order_id!)) {
      for (const item of d.items ?? [])
        stock.set(item.inventory_id, (stock.get(item.inventory_id) ?? 0) - item.quantity);
    }
    if (e.type === 'customer-charged') {
      cents.set(d.customer_id!, (cents.get(d.customer_id!) ?? 0) - Math.round(d.amount! * 100));
    }
  }
  for (const row of report.inventory) {
    if (stock.has(row.id) && stock.get(row.id) !== row.amount)
      problems.push(`stock ${row.id}: ${row.amount} != ${stock.get(row.id)}`);
    if (row.amount < 0) problems.push(`stock ${row.id} negative`);
  }
  for (const c of report.customers) {
    const expected = cents.get(c.id);
    if (expected !== undefined && expected !== Math.round(c.balance * 100))
      problems.push(`balance ${c.id}: ${c.balance} != ${expected / 100}`);
    if (c.balance < 0) problems.push(`balance ${c.id} negative`);
  }
  return problems;
}
