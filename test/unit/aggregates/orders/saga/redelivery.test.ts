import { describe, expect, it } from 'vitest';
import {
  emptyOrdersState,
  evolve,
  rebuildOrdersState,
  sagaReactions,
  type OrdersEvent,
  type OrdersState,
  type SagaParticipant,
} from '../../../../../aggregates/orders/index.js';
import { demoEvents, orderCreated, stockByProduct } from '../support.js';

/**
 * A pure model of the distributed saga: one log, three participants, at-least-once delivery and crashes.
 * Each participant, as README.md tells the service layer:
 * - folds every event it consumes, except its own (already folded when it published them);
 * - runs its steps, publishes, folds what it published, and only then acks;
 * - when it crashes (after publishing, before acking) it restarts by folding the whole log and resumes at its
 *   last ack, so the redelivered triggers meet the markers and emit nothing.
 */
interface LogEntry {
  readonly event: OrdersEvent;
  readonly producer: SagaParticipant | 'shop';
}
interface Participant {
  readonly name: SagaParticipant;
  state: OrdersState;
  next: number;
  acked: number;
  foldedUpTo: number;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runDistributed(input: readonly OrdersEvent[], crashRate: number, seed: number) {
  const log: LogEntry[] = input.map((event) => ({ event, producer: 'shop' }));
  const rng = random(seed);
  const participants: Participant[] = (['inventory', 'accounts', 'orders'] as const).map((name) => ({
    name,
    state: emptyOrdersState,
    next: 0,
    acked: 0,
    foldedUpTo: 0,
  }));
  let crashes = 0;
  for (let rounds = 0; rounds < 100_000; rounds += 1) {
    const ready = participants.filter((p) => p.next < log.length);
    if (ready.length === 0) return { log: log.map((entry) => entry.event), crashes };
    const p = ready[Math.floor(rng() * ready.length)] as Participant;
    const entry = log[p.next] as LogEntry;
    if (p.next >= p.foldedUpTo && entry.producer !== p.name) p.state = evolve(p.state, entry.event);
    p.foldedUpTo = Math.max(p.foldedUpTo, p.next + 1);
    for (const reaction of sagaReactions(entry.event, p.state, p.name)) {
      for (const event of reaction.events) {
        log.push({ event, producer: p.name });
        p.state = evolve(p.state, event);
      }
    }
    p.next += 1;
    if (rng() < crashRate) {
      // Crash after publishing, before the ack: restart from the whole log, redeliver from the last ack.
      crashes += 1;
      p.state = rebuildOrdersState(log.map((e) => e.event));
      p.foldedUpTo = log.length;
      p.next = p.acked;
    } else {
      p.acked = p.next;
    }
  }
  throw new Error('the saga did not settle');
}

const orders = [
  orderCreated('o-1', '101', ['201', '204']),
  orderCreated('o-2', '101', ['201', '204', '205']),
  orderCreated('o-3', '101', ['201', '201', '201', '201', '201', '201']),
  orderCreated('o-4', '102', ['204']),
  orderCreated('o-5', '103', ['202', '203']),
  orderCreated('o-6', '102', ['205', 'unknown']),
  orderCreated('o-7', '103', ['201', '201']),
  orderCreated('o-8', '102', ['204', '204']),
];

function count(log: readonly OrdersEvent[], type: OrdersEvent['type'], orderId: string): number {
  return log.filter(
    (e) =>
      e.type === type && ('order_id' in e.data ? e.data.order_id === orderId : 'id' in e.data && e.data.id === orderId),
  ).length;
}

describe('saga under redelivery and crashes (pure simulation)', () => {
  it.each([
    [0, 1],
    [0.3, 2],
    [0.5, 3],
    [0.5, 4],
    [0.7, 5],
  ])('with crash rate %d (seed %d) every order ends once and stock and balances add up', (crashRate, seed) => {
    const { log, crashes } = runDistributed([...demoEvents, ...orders], crashRate, seed);
    if (crashRate > 0) expect(crashes).toBeGreaterThan(0);
    const state = rebuildOrdersState(log);

    let stockTaken: Record<string, number> = {};
    const charged: Record<string, number> = {};
    for (const order of orders) {
      const id = order.data.id;
      expect(count(log, 'order-status-changed', id), `${id} final statuses`).toBe(1);
      expect(count(log, 'stock-reserved', id) + count(log, 'stock-reservation-failed', id)).toBe(1);
      expect(count(log, 'customer-charged', id) + count(log, 'charge-failed', id)).toBeLessThanOrEqual(1);
      expect(count(log, 'stock-released', id)).toBeLessThanOrEqual(1);

      const status = state.orders.get(id)?.status;
      expect(status).not.toBe('pending');
      const reservation = state.reservations.get(id);
      if (status === 'to-be-shipped') {
        expect(reservation?.status).toBe('reserved');
        expect(state.charges.get(id)?.status).toBe('charged');
        for (const item of reservation?.items ?? []) {
          stockTaken = { ...stockTaken, [item.product_id]: (stockTaken[item.product_id] ?? 0) + item.quantity };
        }
        const customerId = order.data.customer_id;
        charged[customerId] = (charged[customerId] ?? 0) + (state.charges.get(id)?.amount ?? 0);
      } else if (status === 'insufficient-fund') {
        expect(reservation?.status).toBe('released');
        expect(state.charges.get(id)?.status).toBe('failed');
      } else {
        expect(reservation?.status).toBe('failed');
        expect(state.charges.has(id)).toBe(false);
      }
    }

    const initialStock = stockByProduct(rebuildOrdersState(demoEvents));
    for (const [productId, amount] of Object.entries(stockByProduct(state))) {
      expect(amount, `stock of ${productId}`).toBe((initialStock[productId] ?? 0) - (stockTaken[productId] ?? 0));
      expect(amount).toBeGreaterThanOrEqual(0);
    }
    const initialBalance: Record<string, number> = { '101': 1000, '102': 100, '103': 1000 };
    for (const [customerId, balance] of Object.entries(initialBalance)) {
      expect(state.customers.get(customerId)?.balance, `balance of ${customerId}`).toBe(
        balance - (charged[customerId] ?? 0),
      );
    }
  });

  it('without crashes gives the demo outcomes', () => {
    const { log } = runDistributed([...demoEvents, ...orders.slice(0, 3)], 0, 7);
    const state = rebuildOrdersState(log);
    // Each participant takes its triggers in log order, so o-1 is charged before o-2, as in the demo.
    expect(state.orders.get('o-1')?.status).toBe('to-be-shipped');
    expect(state.orders.get('o-2')?.status).toBe('insufficient-fund');
    expect(state.orders.get('o-3')?.status).toBe('out-of-stock');
    expect(state.customers.get('101')?.balance).toBe(100);
    expect(stockByProduct(state)).toMatchObject({ '201': 3, '204': 2, '205': 8 });
  });
});
