// Test support for the orders services: hosts chosen orders components (and the gateway) in this process on a
// real HTTP port, with the bus the test gives (memory in unit tests, Kafka or Redis in integration tests) and an
// in-process registry. Not a test file itself.
import { pino } from 'pino';
import { createRegistry } from '../../discolib/index.js';
import type { EventBus } from '../../eventlib/index.js';
import type { PlatformDeps, ServiceComponent } from '../../platform/index.js';
import { runHost } from '../../cli/host/runHost.js';
import { gatewayService } from '../../gateway/service.js';
import { ORDERS_GATEWAY } from '../../gateway/ordersRoutes.js';
import { ordersShopService } from '../../aggregates/orders/service/shopService.js';
import { ordersSagaService } from '../../aggregates/orders/service/sagaService.js';
import { CRM_KINDS, MESSAGE_KINDS, notifierService } from '../../aggregates/orders/service/notifierService.js';
import { ordersViewService } from '../../views/orders/ordersViewService.js';
import { waitForHostReady } from './hostReady.js';

export type OrdersPart = 'shop' | 'saga' | 'view' | 'crm' | 'messages' | 'gateway';

export interface OrdersHostOptions {
  bus: () => Promise<EventBus>;
  topic: string;
  /** Makes group names unique to the test: `<prefix>-orders-saga-inventory`, ... */
  prefix: string;
  parts: readonly OrdersPart[];
  /** Instance id suffix: two hosts of the same part (a restart) should use the same one. */
  instance?: string;
}

export interface OrdersHost {
  /** `service name -> url`; the gateway is `gateway`. */
  readonly urls: Map<string, string>;
  readonly bus: EventBus;
  stop(): Promise<void>;
}

const identity = (name: string, instance: string) => ({ name, id: `${name}-${instance}`, tags: ['orders'] });

export async function startOrdersHost(opts: OrdersHostOptions): Promise<OrdersHost> {
  const log = pino({ level: process.env.ORDERS_TEST_LOG ?? 'silent' });
  const bus = await opts.bus();
  const deps: PlatformDeps = { bus, registry: createRegistry({ kind: 'memory' }, log), log, clock: () => new Date() };
  const instance = opts.instance ?? '1';
  const group = (name: string) => `${opts.prefix}-${name}`;
  const components: ServiceComponent[] = [];
  try {
    for (const part of opts.parts) {
      switch (part) {
        case 'shop':
          components.push(
            await ordersShopService(deps, {
              identity: identity('orders-shop', instance),
              topic: opts.topic,
              group: group('shop'),
            }),
          );
          break;
        case 'saga':
          components.push(
            await ordersSagaService(deps, {
              identity: identity('orders-saga', instance),
              topic: opts.topic,
              group: group('saga'),
            }),
          );
          break;
        case 'view':
          components.push(
            await ordersViewService(deps, {
              identity: identity('orders-view', instance),
              topic: opts.topic,
              group: group('view'),
            }),
          );
          break;
        case 'crm':
          components.push(
            await notifierService(deps, {
              identity: identity('orders-crm', instance),
              topic: opts.topic,
              group: group('crm'),
              kinds: CRM_KINDS,
              label: 'crm',
            }),
          );
          break;
        case 'messages':
          components.push(
            await notifierService(deps, {
              identity: identity('orders-messages', instance),
              topic: opts.topic,
              group: group('messages'),
              kinds: MESSAGE_KINDS,
              label: 'messages',
            }),
          );
          break;
        case 'gateway':
          components.push(gatewayService(deps, { identity: identity('gateway', instance), modules: [ORDERS_GATEWAY] }));
          break;
      }
    }
  } catch (err) {
    await Promise.allSettled(components.map((c) => c.stop()));
    await Promise.allSettled([bus.close(), deps.registry.close()]);
    throw err;
  }
  const host = await runHost(
    components.map((component) => ({ component, host: '127.0.0.1', port: 0 })),
    deps,
    { signals: false },
  );
  // Every service answers /ready once its subscriptions caught up (the registry routes only to ready ones).
  try {
    await waitForHostReady(host, deps.registry);
  } catch (err) {
    await host.stop('not ready');
    throw err;
  }
  return {
    urls: host.urls,
    bus,
    stop: async () => {
      await host.stop('test done');
    },
  };
}

export interface JsonResponse<T> {
  readonly status: number;
  readonly type: string;
  readonly body: T;
}

/** A tiny JSON client for the gateway; `T` is what the test expects the body to be. */
export function jsonClient(base: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: json as T };
  };
  return {
    get: <T = unknown>(path: string) => call<T>('GET', path),
    post: <T = unknown>(path: string, body?: unknown) => call<T>('POST', path, body),
    put: <T = unknown>(path: string, body: unknown) => call<T>('PUT', path, body),
    del: <T = unknown>(path: string) => call<T>('DELETE', path),
  };
}
