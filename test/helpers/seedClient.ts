// The OrderShop seed's own black-box client (`client/client.py` in redis-developer/ordershop), step for step in
// TypeScript: the same ten tests in the same order, the same random inputs and the same checks (`code == 200`,
// the counts, `null` for a deleted entity, 8 unbilled orders). It expects a fresh shop behind `base()`.
// Not a test file itself: `describeSeedClient` registers the tests inside the caller's describe.
import { expect, it } from 'vitest';

interface Entity {
  id: string;
  [field: string]: unknown;
}

const letters = 'abcdefghijklmnopqrstuvwxyz';
const randomName = () => Array.from({ length: 10 }, () => letters[Math.floor(Math.random() * 26)]).join('');
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const randint = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));

/** `get_any_id`: a random entity's id, other than `but`. */
function anyId(entities: readonly Entity[], but?: string): string {
  for (;;) {
    const id = entities[Math.floor(Math.random() * entities.length)]!.id;
    if (id !== but) return id;
  }
}

/** `http_cmd_req` + `check_rsp`: the seed's client raises unless the answer is 200. */
async function command(url: string, data?: unknown, method = 'POST'): Promise<unknown> {
  const res = await fetch(url, {
    method,
    ...(data === undefined
      ? {}
      : { headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(data) }),
  });
  const text = await res.text();
  expect({ method, url, status: res.status, body: res.status === 200 ? undefined : text }).toEqual({
    method,
    url,
    status: 200,
    body: undefined,
  });
  return JSON.parse(text) as unknown;
}

const query = <T>(url: string) => command(url, undefined, 'GET') as Promise<T>;

export function describeSeedClient(base: () => string): void {
  const url = (path: string) => `${base()}${path}`;

  it('test_1_create_customers', async () => {
    const customers = Array.from({ length: 10 }, () => {
      const name = randomName();
      return { name: title(name), email: `${name}@server.com` };
    });
    await command(url('/customers'), customers);
    expect(await query<Entity[]>(url('/customers'))).toHaveLength(customers.length);
  });

  it('test_2_create_products', async () => {
    const products = Array.from({ length: 10 }, () => ({ name: title(randomName()), price: randint(10, 1000) }));
    await command(url('/products'), products);
    expect(await query<Entity[]>(url('/products'))).toHaveLength(products.length);
  });

  it('test_3_create_inventory', async () => {
    const products = await query<Entity[]>(url('/products'));
    const inventory = products.map((product) => ({ product_id: product.id, amount: 100 }));
    await command(url('/inventory'), inventory);
    expect(await query<Entity[]>(url('/inventory'))).toHaveLength(inventory.length);
  });

  it('test_4_create_orders', async () => {
    const customers = await query<Entity[]>(url('/customers'));
    const products = await query<Entity[]>(url('/products'));
    const orders = Array.from({ length: 10 }, () => ({
      product_ids: Array.from({ length: randint(1, 10) }, () => anyId(products)),
      customer_id: anyId(customers),
    }));
    let ordered = 0;
    for (const order of orders) {
      await command(url('/orders'), order);
      ordered += 1;
    }
    expect(await query<Entity[]>(url('/orders'))).toHaveLength(ordered);
  });

  it('test_5_update_second_order', async () => {
    const orders = await query<(Entity & { product_ids: string[] })[]>(url('/orders'));
    const products = await query<Entity[]>(url('/products'));
    const second = orders[1]!;
    second.product_ids[0] = anyId(products, second.product_ids[0]);
    await command(url(`/order/${second.id}`), second, 'PUT');
    const order = await query<{ product_ids: string[] }>(url(`/order/${second.id}`));
    expect(order.product_ids[0]).toBeTruthy();
    expect(order.product_ids[0]).toBe(second.product_ids[0]);
  });

  it('test_6_delete_third_order', async () => {
    const orders = await query<Entity[]>(url('/orders'));
    await command(url(`/order/${orders[2]!.id}`), undefined, 'DELETE');
    expect(await query(url(`/order/${orders[2]!.id}`))).toBeNull();
  });

  it('test_7_delete_third_customer', async () => {
    const customers = await query<Entity[]>(url('/customers'));
    await command(url(`/customer/${customers[2]!.id}`), undefined, 'DELETE');
    expect(await query(url(`/customer/${customers[2]!.id}`))).toBeNull();
  });

  it('test_8_perform_billing', async () => {
    const orders = await query<Entity[]>(url('/orders'));
    const billed = await command(url('/billing'), { order_id: orders[0]!.id });
    expect(billed).toHaveLength(1);
  });

  it('test_9_get_unbilled_orders', async () => {
    expect(await query<Entity[]>(url('/orders/unbilled'))).toHaveLength(8);
  });

  it('test_Z_print_report', async () => {
    const report = await query<Record<string, unknown>>(url('/report'));
    for (const key of ['products', 'inventory', 'customers', 'orders', 'billings']) {
      expect(Array.isArray(report[key]), key).toBe(true);
    }
  });
}
