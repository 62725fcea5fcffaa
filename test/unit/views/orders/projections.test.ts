import { describe, expect, it } from 'vitest';
import {
  decide,
  decideDemoData,
  emptyOrdersState,
  isOrdersError,
  runSagaLocally,
  type OrdersCommand,
  type OrdersEvent,
  type RecordedOrdersEvent,
} from '../../../../aggregates/orders/index.js';
import {
  LiveOrdersView,
  buildReport,
  emptyOrdersView,
  findEntity,
  listEntities,
  listNotifications,
  listUnbilledOrders,
  projectOrdersEvent,
  projectOrdersEvents,
} from '../../../../views/orders/projections/index.js';

/** Events as a log would hand them to the view: each with its envelope id. */
function record(events: readonly OrdersEvent[], prefix = 'ev'): RecordedOrdersEvent[] {
  return events.map((event, i) => ({ ...event, id: `${prefix}-${i + 1}` }));
}

/** The log of a shop session: demo data, then each command decided and its saga run, in order. */
function shopLog(commands: readonly OrdersCommand[]): OrdersEvent[] {
  let state = emptyOrdersState;
  const log: OrdersEvent[] = [];
  const push = (events: readonly OrdersEvent[]) => {
    const run = runSagaLocally(state, events);
    state = run.state;
    log.push(...run.events);
  };
  push(decideDemoData(state));
  let n = 0;
  for (const command of commands) {
    const events = decide(command, state, { newId: () => `gen-${(n += 1)}` });
    if (isOrdersError(events)) throw events;
    push(events);
  }
  return log;
}

const order = (id: string, productIds: string[]): OrdersCommand => ({
  type: 'create-orders',
  items: { id, customer_id: '101', product_ids: productIds },
});

describe('orders view: entities', () => {
  const view = projectOrdersEvents(emptyOrdersView, record(shopLog([order('o-1', ['201', '204'])])));

  it('lists each collection in creation order and finds by id', () => {
    expect(listEntities(view, 'customers').map((c) => c.id)).toEqual(['101', '102', '103']);
    expect(listEntities(view, 'products').map((p) => p.name)).toEqual([
      'Denon Speakers',
      'Sonos Speakers',
      'AudioPro Speakers',
      'Google Home Mini',
      'Xiaomi Soundbar',
    ]);
    expect(findEntity(view, 'customers', '101')).toEqual({
      id: '101',
      name: 'Anthony',
      email: 'anthony@example.com',
      balance: 100,
    });
    expect(findEntity(view, 'inventory', '201')).toEqual({ id: '201', product_id: '201', amount: 3 });
    expect(findEntity(view, 'orders', 'o-1')?.status).toBe('to-be-shipped');
    expect(findEntity(view, 'orders', 'nope')).toBeUndefined();
    expect(listEntities(view, 'billings')).toEqual([]);
  });

  it('builds the report with customers, products, inventory, orders, billings and accounts', () => {
    const report = buildReport(view);
    expect(Object.keys(report)).toEqual(['customers', 'products', 'inventory', 'orders', 'billings', 'accounts']);
    expect(report.accounts).toEqual([
      { id: '101', name: 'Anthony', balance: 100 },
      { id: '102', name: 'Becky', balance: 100 },
      { id: '103', name: 'Carol', balance: 1000 },
    ]);
    expect(report.inventory.map((row) => [row.product_id, row.amount])).toEqual([
      ['201', 3],
      ['202', 7],
      ['203', 4],
      ['204', 2],
      ['205', 8],
    ]);
    expect(report.orders).toHaveLength(1);
  });

  it('is pure: projecting more events leaves the earlier view as it was', () => {
    const later = projectOrdersEvent(view, { id: 'x-1', type: 'customer-deleted', data: { id: '102' } });
    expect(findEntity(view, 'customers', '102')).toBeDefined();
    expect(findEntity(later, 'customers', '102')).toBeUndefined();
    expect(later.state.products).toBe(view.state.products);
  });

  it('rebuilt from the log, an entity updated then deleted stays deleted', () => {
    const log = record([
      { type: 'customer-created', data: { id: '7', name: 'Gus', email: 'gus@example.com', balance: 1 } },
      { type: 'customer-updated', data: { id: '7', changes: { name: 'Gustav' } } },
      { type: 'customer-deleted', data: { id: '7' } },
    ]);
    const rebuilt = projectOrdersEvents(emptyOrdersView, log);
    expect(findEntity(rebuilt, 'customers', '7')).toBeUndefined();
    const oneByOne = log.reduce(projectOrdersEvent, emptyOrdersView);
    expect(oneByOne.state).toEqual(rebuilt.state);
    expect([...oneByOne.notifications.values()]).toEqual([...rebuilt.notifications.values()]);
  });
});

describe('orders view: unbilled orders', () => {
  it('10 customers, 10 products, inventory 100 each, 10 orders; update one, delete one order and one customer, bill one: 8', () => {
    const customers = Array.from({ length: 10 }, (_, i) => ({
      id: `c${i}`,
      name: `C${i}`,
      email: `c${i}@example.com`,
      balance: 1000,
    }));
    const products = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, name: `P${i}`, price: 5 }));
    const log = shopLog([
      { type: 'create-customers', items: customers },
      { type: 'create-products', items: products },
      { type: 'create-inventory', items: products.map((p) => ({ product_id: p.id, amount: 100 })) },
      {
        type: 'create-orders',
        items: customers.map((c, i) => ({ id: `o${i}`, customer_id: c.id, product_ids: [`p${i}`] })),
      },
      { type: 'update-order', id: 'o4', changes: { product_ids: ['p1', 'p2'] } },
      { type: 'delete-order', id: 'o5' },
      { type: 'delete-customer', id: 'c6' },
      { type: 'create-billings', items: { order_id: 'o7', done: true } },
    ]);
    const view = projectOrdersEvents(emptyOrdersView, record(log));
    const unbilled = listUnbilledOrders(view).map((o) => o.id);
    expect(unbilled).toHaveLength(8);
    expect(unbilled).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o6', 'o8', 'o9']);
    expect(findEntity(view, 'orders', 'o4')?.product_ids).toEqual(['p1', 'p2']);
  });
});

describe('orders view: notifications', () => {
  const log = record(
    shopLog([
      order('o-1', ['201', '204']),
      order('o-2', ['201', '204', '205']),
      order('o-3', Array(6).fill('201') as string[]),
    ]),
  );
  const view = projectOrdersEvents(emptyOrdersView, log);

  it('keeps every notification in the order caused, each pointing at its event', () => {
    const anthony = listNotifications(view, { to: 'anthony@example.com' }).map((n) => n.kind);
    expect(anthony).toEqual([
      'welcome',
      'thank-you',
      'in-stock',
      'shipped',
      'thank-you',
      'in-stock',
      'insufficient-fund',
      'thank-you',
      'out-of-stock',
    ]);
    for (const n of listNotifications(view)) expect(log.some((e) => e.id === n.causedBy)).toBe(true);
    expect(listNotifications(view, { kind: 'welcome' }).map((n) => n.to)).toEqual([
      'anthony@example.com',
      'becky@example.com',
      'carol@example.com',
    ]);
  });

  it('a redelivered event adds no second notification', () => {
    const again = projectOrdersEvents(view, log.slice(-5));
    expect(listNotifications(again)).toEqual(listNotifications(view));
  });

  it('good-bye reaches the deleted customer`s email', () => {
    const after = projectOrdersEvent(view, { id: 'del-1', type: 'customer-deleted', data: { id: '103' } });
    expect(listNotifications(after, { kind: 'good-bye' })).toMatchObject([
      { to: 'carol@example.com', causedBy: 'del-1' },
    ]);
  });
});

describe('LiveOrdersView (in place, for a long-running view service)', () => {
  it('ends in the same view as the pure projection, including redelivered events', () => {
    const log = record(shopLog([order('o-1', ['201', '204']), order('o-2', ['201', '204', '205'])]));
    const live = new LiveOrdersView();
    live.applyAll(log);
    live.applyAll(log.slice(-3)); // redelivered tail: the saga events are no-ops, notifications dedupe
    const pure = projectOrdersEvents(emptyOrdersView, log);
    expect(live.view.state).toEqual(pure.state);
    expect(listNotifications(live.view)).toEqual(listNotifications(pure));
    expect(buildReport(live.view)).toEqual(buildReport(pure));
  });

  it('starts from an existing view without changing it', () => {
    const base = projectOrdersEvents(emptyOrdersView, record(shopLog([])));
    const live = new LiveOrdersView(base);
    live.apply({ id: 'd-1', type: 'customer-deleted', data: { id: '101' } });
    expect(findEntity(live.view, 'customers', '101')).toBeUndefined();
    expect(findEntity(base, 'customers', '101')).toBeDefined();
    expect(listNotifications(base, { kind: 'good-bye' })).toEqual([]);
  });
});
