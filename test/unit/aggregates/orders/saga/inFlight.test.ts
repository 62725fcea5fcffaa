import { describe, expect, it } from 'vitest';
import {
  evolve,
  rebuildOrdersState,
  runSagaLocally,
  sagasInFlight,
  type OrdersEvent,
  type OrdersState,
} from '../../../../../aggregates/orders/index.js';
import { customerCreated, demoEvents, orderCreated } from '../support.js';

/**
 * The meaning of `sagasInFlight` (README.md, "Concurrency"), as the shop's state model used to track it beside the
 * state: an order is in flight from `order-created` until `stock-reservation-failed`, `customer-charged` or
 * `stock-released`.
 */
function referenceInFlight(log: readonly OrdersEvent[]): string[] {
  const inFlight = new Set<string>();
  for (const event of log) {
    if (event.type === 'order-created') inFlight.add(event.data.id);
    if (event.type === 'stock-reservation-failed' || event.type === 'customer-charged') {
      inFlight.delete(event.data.order_id);
    }
    if (event.type === 'stock-released') inFlight.delete(event.data.order_id);
  }
  return [...inFlight].sort();
}

/** Compares the state-derived set with the reference after every event of `log`. */
function expectSameAtEveryStep(log: readonly OrdersEvent[]): void {
  let state: OrdersState = rebuildOrdersState([]);
  log.forEach((event, i) => {
    state = evolve(state, event);
    expect([...sagasInFlight(state)].sort(), `after event ${i} (${event.type})`).toEqual(
      referenceInFlight(log.slice(0, i + 1)),
    );
  });
}

const shipped = orderCreated('o-1', '101', ['201', '204']);
const noFunds = orderCreated('o-2', '102', ['201']);
const outOfStock = orderCreated('o-3', '101', ['999']);

describe('sagasInFlight(state)', () => {
  it('is empty on a shop with no orders', () => {
    expect(sagasInFlight(rebuildOrdersState(demoEvents)).size).toBe(0);
  });

  it('follows each saga from order-created to the end of its stock and money moves', () => {
    const run = runSagaLocally(rebuildOrdersState(demoEvents), [shipped, noFunds, outOfStock]);
    expectSameAtEveryStep([...demoEvents, ...run.events]);
    expect(sagasInFlight(run.state).size).toBe(0);
  });

  it('counts orders placed together while their steps are interleaved', () => {
    // Every order is created first, then each participant's outputs land in turn (as on the log).
    const orders = [shipped, noFunds, outOfStock, orderCreated('o-4', '103', ['202', '202'])];
    const runs = orders.map((order) => runSagaLocally(rebuildOrdersState(demoEvents), [order]).events.slice(1));
    const interleaved: OrdersEvent[] = [...demoEvents, ...orders];
    for (let step = 0; runs.some((events) => step < events.length); step += 1) {
      for (const events of runs) if (step < events.length) interleaved.push(events[step]!);
    }
    expectSameAtEveryStep(interleaved);
  });

  it('keeps an order deleted before its stock was reserved: its steps run on', () => {
    const deleted: OrdersEvent = { type: 'order-deleted', data: { id: 'o-1' } };
    const state = rebuildOrdersState([...demoEvents, shipped, deleted]);
    expect(state.orders.has('o-1')).toBe(false);
    expect([...sagasInFlight(state)]).toEqual(['o-1']);
    // reserve-stock still runs on the delivered order-created, and the charge after it.
    const steps = runSagaLocally(rebuildOrdersState(demoEvents), [shipped]).events.slice(1);
    expect(steps.map((e) => e.type)).toEqual(['stock-reserved', 'customer-charged', 'order-status-changed']);
    expectSameAtEveryStep([...demoEvents, shipped, deleted, ...steps]);
  });

  it('ends for a customer deleted before the charge once the stock is released', () => {
    const log = [...demoEvents, customerCreated('104', 'Dan', 5000), orderCreated('o-5', '104', ['203'])];
    const deleted: OrdersEvent = { type: 'customer-deleted', data: { id: '104' } };
    const run = runSagaLocally(rebuildOrdersState([...log, deleted]), [
      { type: 'stock-reserved', data: { order_id: 'o-5', customer_id: '104', items: [], total: 400 } },
    ]);
    expect(run.events.map((e) => e.type)).toContain('charge-failed');
    expectSameAtEveryStep([...log, deleted, ...run.events]);
  });
});
