import { describe, expect, it } from 'vitest';
import type { OrdersEvent } from '../../../../../aggregates/orders/index.js';
import { customerCreated, demoEvents, orderCreated, sagaSpec } from '../support.js';

const charge = () => sagaSpec('charge-customer');
const stockReserved = (orderId: string, customerId: string, total: number) =>
  ({
    type: 'stock-reserved',
    data: {
      order_id: orderId,
      customer_id: customerId,
      items: [{ inventory_id: '201', product_id: '201', quantity: 1 }],
      total,
    },
  }) as const satisfies OrdersEvent;

describe('saga step 2: charge-customer (on stock-reserved)', () => {
  it('charges the total when the balance covers it', () => {
    charge()
      .given([...demoEvents, orderCreated('o-1', '101', ['201', '204'])])
      .when(stockReserved('o-1', '101', 900))
      .then([{ type: 'customer-charged', data: { order_id: 'o-1', customer_id: '101', amount: 900, balance: 100 } }])
      .thenState((s) => {
        expect(s.customers.get('101')?.balance).toBe(100);
        expect(s.charges.get('o-1')).toMatchObject({ status: 'charged', amount: 900 });
      });
  });

  it('charges a total equal to the balance, leaving 0', () => {
    charge()
      .given([customerCreated('102', 'Becky', 100)])
      .when(stockReserved('o-1', '102', 100))
      .thenMatch([{ type: 'customer-charged', data: { balance: 0 } }]);
  });

  it('refuses a total above the balance (insufficient-fund), charging nothing', () => {
    charge()
      .given([customerCreated('102', 'Becky', 100)])
      .when(stockReserved('o-1', '102', 100.01))
      .then([
        {
          type: 'charge-failed',
          data: { order_id: 'o-1', customer_id: '102', amount: 100.01, balance: 100, reason: 'insufficient-fund' },
        },
      ])
      .thenState((s) => {
        expect(s.customers.get('102')?.balance).toBe(100);
        expect(s.charges.get('o-1')?.status).toBe('failed');
      });
  });

  it('refuses when the customer was deleted after ordering (unknown-customer)', () => {
    charge()
      .given([customerCreated('102', 'Becky', 100), { type: 'customer-deleted', data: { id: '102' } }])
      .when(stockReserved('o-1', '102', 1))
      .then([
        {
          type: 'charge-failed',
          data: { order_id: 'o-1', customer_id: '102', amount: 1, balance: null, reason: 'unknown-customer' },
        },
      ]);
  });

  it('subtracts decimals exactly', () => {
    charge()
      .given([customerCreated('c', 'Cleo', 0.3)])
      .when(stockReserved('o-1', 'c', 0.1))
      .thenMatch([{ type: 'customer-charged', data: { balance: 0.2 } }]);
  });

  describe('is idempotent per order id', () => {
    it('a redelivered stock-reserved after the charge charges nothing more', () => {
      charge()
        .given([
          customerCreated('101', 'Anthony', 1000),
          stockReserved('o-1', '101', 900),
          { type: 'customer-charged', data: { order_id: 'o-1', customer_id: '101', amount: 900, balance: 100 } },
        ])
        .when(stockReserved('o-1', '101', 900))
        .thenNothing()
        .thenState((s) => expect(s.customers.get('101')?.balance).toBe(100));
    });

    it('a redelivered stock-reserved after a failed charge tries nothing again, even if the balance grew since', () => {
      charge()
        .given([
          customerCreated('102', 'Becky', 100),
          stockReserved('o-1', '102', 900),
          {
            type: 'charge-failed',
            data: { order_id: 'o-1', customer_id: '102', amount: 900, balance: 100, reason: 'insufficient-fund' },
          },
          { type: 'customer-updated', data: { id: '102', changes: { balance: 5000 } } },
        ])
        .when(stockReserved('o-1', '102', 900))
        .thenNothing();
    });

    it('a different order of the same customer is charged normally', () => {
      charge()
        .given([
          customerCreated('101', 'Anthony', 1000),
          stockReserved('o-1', '101', 900),
          { type: 'customer-charged', data: { order_id: 'o-1', customer_id: '101', amount: 900, balance: 100 } },
        ])
        .when(stockReserved('o-2', '101', 100))
        .then([{ type: 'customer-charged', data: { order_id: 'o-2', customer_id: '101', amount: 100, balance: 0 } }]);
    });
  });
});
