import { describe, expect, it } from 'vitest';
import { MAX_ITEMS_PER_CREATE, decide, emptyOrdersState } from '../../../../aggregates/orders/index.js';
import { customerCreated, orderCreated, ordersSpec, sequenceIds } from './support.js';

const anthony = { name: 'Anthony', email: 'anthony@example.com', balance: 1000 };

describe('customer: create', () => {
  it('creates one customer from an object, keeping a caller-given numeric id as a string', () => {
    ordersSpec()
      .given()
      .when({ type: 'create-customers', items: { id: 101, ...anthony } })
      .then([{ type: 'customer-created', data: { id: '101', ...anthony } }])
      .thenState((s) => expect(s.customers.get('101')).toEqual({ id: '101', ...anthony }));
  });

  it('creates many from an array, generating ids from the injected generator where none is given', () => {
    ordersSpec()
      .given()
      .when({
        type: 'create-customers',
        items: [anthony, { id: 'c-7', name: 'Becky', email: 'becky@example.com', balance: 100 }, anthony],
      })
      .then([
        { type: 'customer-created', data: { id: 'id-1', ...anthony } },
        { type: 'customer-created', data: { id: 'c-7', name: 'Becky', email: 'becky@example.com', balance: 100 } },
        { type: 'customer-created', data: { id: 'id-2', ...anthony } },
      ]);
  });

  it("defaults a missing balance to 0, as the seed's customers are only {name, email}", () => {
    ordersSpec()
      .given()
      .when({ type: 'create-customers', items: { id: 'c-1', name: 'Ann', email: 'ann@example.com' } })
      .then([{ type: 'customer-created', data: { id: 'c-1', name: 'Ann', email: 'ann@example.com', balance: 0 } }]);
  });

  it('rejects an id that already exists (ORD_ERR_CONFLICT naming the item)', () => {
    ordersSpec()
      .given([customerCreated('101', 'Anthony', 1000)])
      .when({
        type: 'create-customers',
        items: [
          { id: '102', ...anthony },
          { id: '101', ...anthony },
        ],
      })
      .thenFails({ code: 'ORD_ERR_CONFLICT', field: 'items[1].id', retriable: false });
  });

  it('rejects the same id twice in one batch, and `101` and `"101"` are the same id', () => {
    ordersSpec()
      .given()
      .when({
        type: 'create-customers',
        items: [
          { id: 101, ...anthony },
          { id: '101', ...anthony },
        ],
      })
      .thenFails({ code: 'ORD_ERR_CONFLICT', field: 'items[1].id' });
  });

  it('accepts the id of a deleted customer again', () => {
    ordersSpec()
      .given([customerCreated('101', 'Anthony', 1000), { type: 'customer-deleted', data: { id: '101' } }])
      .when({ type: 'create-customers', items: { id: '101', ...anthony, balance: 5 } })
      .then([{ type: 'customer-created', data: { id: '101', ...anthony, balance: 5 } }]);
  });

  it.each([
    ['a missing name', { email: 'a@example.com', balance: 1 }, 'items[0].name'],
    ['an empty name', { name: ' ', email: 'a@example.com', balance: 1 }, 'items[0].name'],
    ['a missing email', { name: 'A', balance: 1 }, 'items[0].email'],
    ['a malformed email', { name: 'A', email: 'not-an-email', balance: 1 }, 'items[0].email'],
    ['a balance given as a string', { name: 'A', email: 'a@example.com', balance: '100' }, 'items[0].balance'],
    ['a negative balance', { name: 'A', email: 'a@example.com', balance: -1 }, 'items[0].balance'],
    ['a balance with three decimals', { name: 'A', email: 'a@example.com', balance: 1.005 }, 'items[0].balance'],
    ['an infinite balance', { name: 'A', email: 'a@example.com', balance: Infinity }, 'items[0].balance'],
    ['an id with a slash', { id: 'a/b', name: 'A', email: 'a@example.com', balance: 1 }, 'items[0].id'],
    ['a negative numeric id', { id: -1, name: 'A', email: 'a@example.com', balance: 1 }, 'items[0].id'],
  ])('rejects %s (ORD_ERR_VALIDATION naming the field)', (_what, item, field) => {
    ordersSpec()
      .given()
      .when({ type: 'create-customers', items: item as never })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field });
  });

  it('rejects a missing items field, an empty array and an oversized array', () => {
    const spec = ordersSpec();
    spec
      .given()
      .when({ type: 'create-customers' } as never)
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'items' });
    spec
      .given()
      .when({ type: 'create-customers', items: [] })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'items' });
    const tooMany = Array.from({ length: MAX_ITEMS_PER_CREATE + 1 }, () => anthony);
    spec
      .given()
      .when({ type: 'create-customers', items: tooMany })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'items' });
    // Exactly the cap is fine (decided directly: the helper's per-event state checks are quadratic).
    const atCap = decide({ type: 'create-customers', items: tooMany.slice(1) }, emptyOrdersState, sequenceIds());
    expect(atCap).toHaveLength(MAX_ITEMS_PER_CREATE);
  });

  it('is all or nothing: one bad item rejects the whole batch', () => {
    const result = ordersSpec()
      .given()
      .when({ type: 'create-customers', items: [anthony, { ...anthony, balance: -5 }] })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'items[1].balance' });
    expect(result.after.customers.size).toBe(0);
  });
});

describe('customer: update', () => {
  const given = [customerCreated('101', 'Anthony', 1000)];

  it('emits only the fields that change and merges them onto the customer', () => {
    ordersSpec()
      .given(given)
      .when({ type: 'update-customer', id: 101, changes: { name: 'Anthony', balance: 250 } })
      .then([{ type: 'customer-updated', data: { id: '101', changes: { balance: 250 } } }])
      .thenState((s) => expect(s.customers.get('101')).toMatchObject({ name: 'Anthony', balance: 250 }));
  });

  it('emits nothing when nothing really changes', () => {
    ordersSpec()
      .given(given)
      .when({ type: 'update-customer', id: '101', changes: { name: 'Anthony', email: 'anthony@example.com' } })
      .thenNothing();
  });

  it('rejects empty changes and invalid values', () => {
    const spec = ordersSpec();
    spec
      .given(given)
      .when({ type: 'update-customer', id: '101', changes: {} })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes' });
    spec
      .given(given)
      .when({ type: 'update-customer', id: '101', changes: { balance: -1 } })
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes.balance' });
    spec
      .given(given)
      .when({ type: 'update-customer', id: '101', changes: { email: 42 } } as never)
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'changes.email' });
  });

  it('rejects an unknown id and a deleted one (ORD_ERR_NOT_FOUND)', () => {
    const spec = ordersSpec();
    spec
      .given(given)
      .when({ type: 'update-customer', id: '999', changes: { name: 'X' } })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND', field: 'id' });
    spec
      .given([...given, { type: 'customer-deleted', data: { id: '101' } }])
      .when({ type: 'update-customer', id: '101', changes: { name: 'X' } })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND', field: 'id' });
  });
});

describe('customer: delete', () => {
  it('deletes an existing customer; their orders stay', () => {
    ordersSpec()
      .given([customerCreated('101', 'Anthony', 1000), orderCreated('o-1', '101', ['201'])])
      .when({ type: 'delete-customer', id: 101 })
      .then([{ type: 'customer-deleted', data: { id: '101' } }])
      .thenState((s) => {
        expect(s.customers.has('101')).toBe(false);
        expect(s.orders.has('o-1')).toBe(true);
      });
  });

  it('rejects an unknown id, and a second delete of the same customer', () => {
    const spec = ordersSpec();
    spec.given().when({ type: 'delete-customer', id: '101' }).thenFails({ code: 'ORD_ERR_NOT_FOUND', field: 'id' });
    spec
      .given([customerCreated('101', 'Anthony', 1000), { type: 'customer-deleted', data: { id: '101' } }])
      .when({ type: 'delete-customer', id: '101' })
      .thenFails({ code: 'ORD_ERR_NOT_FOUND' });
  });

  it('rejects a missing id', () => {
    ordersSpec()
      .given()
      .when({ type: 'delete-customer' } as never)
      .thenFails({ code: 'ORD_ERR_VALIDATION', field: 'id' });
  });
});
