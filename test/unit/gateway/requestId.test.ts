import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../../eventlib/index.js';
import { startOrdersHost, type OrdersHost } from '../../helpers/ordersPlatform.js';

/**
 * Issue 16, point 3: the gateway forwards the caller's request id upstream, so a problem+json a service answers
 * carries the id of the request the caller made (and the gateway's log line and the service's share it).
 */
describe('request ids end to end (gateway -> service)', () => {
  let host: OrdersHost;
  let gw = '';
  beforeAll(async () => {
    host = await startOrdersHost({
      bus: () => createEventBus({ kind: 'memory' }),
      topic: 'orders',
      prefix: 'rid',
      parts: ['shop', 'view', 'gateway'],
    });
    gw = host.urls.get('gateway')!;
  });
  afterAll(() => host?.stop());

  const put = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gw}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'Nobody', email: 'nobody@example.com' }),
    });

  it("a service's problem carries the caller's x-request-id", async () => {
    const res = await put('/customer/no-such-customer', { 'x-request-id': 'caller-req-42' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.headers.get('x-request-id')).toBe('caller-req-42');
    const body = (await res.json()) as { requestId: string; code: string };
    // The shop's answer (not a gateway route miss), with the caller's id.
    expect(body.code).toBe('ORD_ERR_NOT_FOUND');
    expect(body.requestId).toBe('caller-req-42');
  });

  it('without one, the problem carries the id the gateway gave the request (the one in its answer header)', async () => {
    const res = await put('/customer/no-such-customer');
    expect(res.status).toBe(404);
    const id = res.headers.get('x-request-id');
    expect(id).toBeTruthy();
    const body = (await res.json()) as { requestId: string; code: string };
    expect(body.code).toBe('ORD_ERR_NOT_FOUND');
    expect(body.requestId).toBe(id);
  });
});
