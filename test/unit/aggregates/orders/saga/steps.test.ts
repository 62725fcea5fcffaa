import { describe, expect, it } from 'vitest';
import {
  ORDER_SAGA_STEPS,
  SAGA_MOVING_ENDS,
  SAGA_PARTICIPANTS,
  SAGA_STEPS,
  rebuildOrdersState,
  runSagaLocally,
  sagaOrderId,
  sagaReactions,
  sagaStepKey,
  sagaTriggers,
  type OrdersEvent,
} from '../../../../../aggregates/orders/index.js';
import { customerCreated, demoEvents, orderCreated } from '../support.js';

const chargeFailed = {
  type: 'charge-failed',
  data: { order_id: 'o-1', customer_id: '101', amount: 1, balance: 0, reason: 'insufficient-fund' },
} as const satisfies OrdersEvent;

describe('saga steps table', () => {
  it('names each step, its participant and its triggers', () => {
    expect(SAGA_STEPS).toEqual({
      'reserve-stock': { participant: 'inventory', triggers: ['order-created'] },
      'charge-customer': { participant: 'accounts', triggers: ['stock-reserved'] },
      'release-stock': { participant: 'inventory', triggers: ['charge-failed'] },
      'settle-order': {
        participant: 'orders',
        triggers: ['stock-reservation-failed', 'customer-charged', 'stock-released'],
      },
    });
  });

  it('derives the participants, their triggers and the end of the stock and money moves from the declaration', () => {
    expect(SAGA_PARTICIPANTS).toEqual(['inventory', 'accounts', 'orders']);
    expect([...sagaTriggers('inventory')]).toEqual(['order-created', 'charge-failed']);
    expect([...sagaTriggers('accounts')]).toEqual(['stock-reserved']);
    expect([...sagaTriggers('orders')]).toEqual(['stock-reservation-failed', 'customer-charged', 'stock-released']);
    expect([...SAGA_MOVING_ENDS]).toEqual(['stock-reservation-failed', 'customer-charged', 'stock-released']);
    // The orders participant settles exactly when the moves are over.
    expect(new Set(sagaTriggers('orders'))).toEqual(SAGA_MOVING_ENDS);
    expect(ORDER_SAGA_STEPS.map((step) => [step.name, step.emits])).toEqual([
      ['reserve-stock', ['stock-reserved', 'stock-reservation-failed']],
      ['charge-customer', ['customer-charged', 'charge-failed']],
      ['release-stock', ['stock-released']],
      ['settle-order', ['order-status-changed']],
    ]);
  });

  it('every step emits only what it declares, and every declared event is emitted by some run', () => {
    const emitted = new Set<string>();
    const check = (events: readonly OrdersEvent[]) => {
      const run = runSagaLocally(rebuildOrdersState(demoEvents), events);
      for (const [i, event] of run.events.entries()) {
        // Like a participant: the state holds the event and everything before it.
        const folded = rebuildOrdersState([...demoEvents, ...run.events.slice(0, i + 1)]);
        for (const reaction of sagaReactions(event, folded)) {
          const declared = ORDER_SAGA_STEPS.find((step) => step.name === reaction.step)!;
          for (const out of reaction.events) {
            expect(declared.emits).toContain(out.type);
            emitted.add(out.type);
          }
        }
      }
    };
    check([orderCreated('o-1', '101', ['201', '204'])]); // to-be-shipped
    check([orderCreated('o-2', '102', ['201'])]); // insufficient-fund, stock released
    check([orderCreated('o-3', '101', ['999'])]); // out-of-stock
    expect([...emitted].sort()).toEqual(ORDER_SAGA_STEPS.flatMap((step) => step.emits).sort());
  });

  it('keys each step by order id and step name', () => {
    expect(sagaStepKey('o-1', 'charge-customer')).toBe('o-1:charge-customer');
    expect(sagaOrderId(orderCreated('o-9', '101', ['1']))).toBe('o-9');
    expect(sagaOrderId(chargeFailed)).toBe('o-1');
    expect(sagaOrderId(customerCreated('101', 'A', 1))).toBeUndefined();
  });

  it('runs every step an event triggers, or only one participant`s', () => {
    const state = rebuildOrdersState([...demoEvents, orderCreated('o-1', '101', ['201'])]);
    const all = sagaReactions(chargeFailed, state);
    expect(all.map((r) => [r.step, r.participant, r.key])).toEqual([
      ['release-stock', 'inventory', 'o-1:release-stock'],
    ]);
    expect(all[0]?.events).toEqual([]); // nothing was reserved
    const released = {
      type: 'stock-released',
      data: { order_id: 'o-1', items: [] },
    } as const satisfies OrdersEvent;
    const settled = sagaReactions(released, state);
    expect(settled.map((r) => [r.step, r.participant, r.key])).toEqual([
      ['settle-order', 'orders', 'o-1:settle-order'],
    ]);
    expect(settled[0]?.events).toMatchObject([{ type: 'order-status-changed', data: { status: 'insufficient-fund' } }]);
    expect(sagaReactions(chargeFailed, state, 'accounts')).toEqual([]);
    expect(sagaReactions(released, state, 'orders').map((r) => r.step)).toEqual(['settle-order']);
  });

  it('starts nothing on events that are not saga triggers', () => {
    const state = rebuildOrdersState(demoEvents);
    expect(sagaReactions(customerCreated('104', 'Dan', 5), state)).toEqual([]);
    expect(
      sagaReactions(
        { type: 'order-status-changed', data: { id: 'o', customer_id: '101', status: 'to-be-shipped' } },
        state,
      ),
    ).toEqual([]);
  });
});

describe('runSagaLocally', () => {
  it('runs each order to its end before the next one takes stock (depth first)', () => {
    // Two orders for the last 3 units of 204 placed together: the first takes them, the second is out of stock.
    const run = runSagaLocally(rebuildOrdersState(demoEvents), [
      orderCreated('o-1', '101', ['204', '204', '204']),
      orderCreated('o-2', '103', ['204']),
    ]);
    expect(run.events.map((e) => e.type)).toEqual([
      'order-created',
      'stock-reserved',
      'customer-charged',
      'order-status-changed',
      'order-created',
      'stock-reservation-failed',
      'order-status-changed',
    ]);
    expect(run.state.orders.get('o-1')?.status).toBe('to-be-shipped');
    expect(run.state.orders.get('o-2')?.status).toBe('out-of-stock');
    expect(run.state.inventory.get('204')?.amount).toBe(0);
  });

  it('does not change the state it was given', () => {
    const before = rebuildOrdersState(demoEvents);
    runSagaLocally(before, [orderCreated('o-1', '101', ['201'])]);
    expect(before.inventory.get('201')?.amount).toBe(4);
    expect(before.orders.size).toBe(0);
  });

  it('feeding the same events again produces no second reservation, charge or status', () => {
    const first = runSagaLocally(rebuildOrdersState(demoEvents), [orderCreated('o-1', '101', ['201', '204'])]);
    const again = runSagaLocally(first.state, first.events.slice(1));
    expect(again.events).toEqual(first.events.slice(1));
    expect(again.state.customers.get('101')?.balance).toBe(100);
    expect(again.state.inventory.get('201')?.amount).toBe(3);
  });
});
