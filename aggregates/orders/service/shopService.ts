import { z } from 'zod';
import { newEvent, type Envelope } from '../../../eventlib/index.js';
import { problem } from '../../../restlib/index.js';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../../platform/index.js';
import {
  decide,
  decideDemoData,
  isOrdersError,
  ordersEventKey,
  parseOrdersCommand,
  randomIds,
  type IdGenerator,
  type OrdersCommand,
  type OrdersError,
  type OrdersEvent,
  type OrdersState,
} from '../index.js';
import {
  afterOf,
  domainProblem,
  idempotencyKeyHeader,
  IdempotencyLedger,
  idempotentWrites,
  type KeyedRequest,
  keyedRequest,
  markWritten,
  type WriteResult,
} from '../../../platform/index.js';
import { createPaths, ENTITY_ROUTES } from './entityRoutes.js';
import { afterHeaders, idParams, SerialQueue } from './http.js';
import { startOrdersStateModel } from './ordersStateModel.js';
import { groupSchema, identitySchema, topicNameSchema, validOptions } from '../../../platform/index.js';
import { ensureOrdersTopic } from './topics.js';

export interface OrdersShopOptions {
  identity: ComponentIdentity;
  /** The orders topic/stream (one partition). */
  topic: string;
  /** Prefix of the replay group that rebuilds the state (`<group>-state-<instance id>`: one member each). */
  group: string;
  ids?: IdGenerator;
  /** How long a write waits for the state to catch up, and a stock/balance write for running sagas (ms). */
  waitMs?: number;
}

const anyBody = z.unknown();
const writeHeaders = afterHeaders.extend(idempotencyKeyHeader);

/** Commands that set stock or balances absolutely: they wait until no saga moves stock or money. */
function movesStockOrMoney(command: OrdersCommand): boolean {
  if (command.type === 'update-inventory') return true;
  if (command.type === 'update-customer') return command.changes.balance !== undefined;
  return false;
}

const OptionsSchema = z.object({
  identity: identitySchema,
  topic: topicNameSchema,
  group: groupSchema,
  ids: z.custom<IdGenerator>((v) => typeof (v as IdGenerator | undefined)?.newId === 'function').default(randomIds),
  waitMs: z.int().min(1).max(600_000).default(10_000),
});

/**
 * `orders-shop`: the OrderShop command side. Validates with the domain, decides on the state rebuilt from the
 * orders topic (after waiting for the caller's `bookshelf-after` positions and for the log's end), appends the
 * events and answers once its own state has folded them. One decision at a time (see README.md, "Concurrency").
 */
export async function ordersShopService(deps: PlatformDeps, options: OrdersShopOptions): Promise<ServiceComponent> {
  const opts = validOptions(OptionsSchema, options, 'orders-shop');
  const { ids, waitMs } = opts;
  const log = deps.log.child({ component: 'orders-shop', topic: opts.topic });
  await ensureOrdersTopic(deps.bus, opts.topic);
  const ledger = new IdempotencyLedger();
  const model = await startOrdersStateModel(deps.bus, {
    ledger,
    topic: opts.topic,
    group: `${opts.group}-state-${opts.identity.id}`,
    log,
  });
  const serial = new SerialQueue();
  // Each write first brings the state (and so the ledger) up to the log's end: nothing more to settle.
  const keyedWrites = idempotentWrites({ ledger, settle: async () => {} });

  const upToDate = async (after: string | undefined) => {
    await model.model.catchUp(after, waitMs);
    await model.model.waitUntilCaughtUp(waitMs).catch(() => {
      throw problem(503, 'REST_ERR_UNAVAILABLE', `the orders state has not caught up with the log within ${waitMs} ms`);
    });
  };

  const noSagaRunning = async () => {
    const deadline = Date.now() + waitMs;
    // Computed from the state (O(orders)), so once per change, not once per check.
    for (let running = model.sagasInFlight().size; running > 0; running = model.sagasInFlight().size) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw problem(
          503,
          'REST_ERR_UNAVAILABLE',
          `${running} order(s) are still moving stock or money; retry when they are done`,
        );
      }
      await model.changed(left);
    }
  };

  /**
   * Decide on the current state and append: serialised, so each decision sees every earlier write. A keyed retry
   * of a write the log already holds is answered from its events (the state is caught up first, so this holds
   * across restarts too).
   */
  const write = (
    after: string | undefined,
    correlationId: string,
    decideOn: (state: OrdersState) => readonly OrdersEvent[] | OrdersError,
    guard: boolean,
    keyed: KeyedRequest | undefined,
  ): Promise<WriteResult> =>
    serial.run(async () => {
      await upToDate(after);
      return keyedWrites(keyed, async (stamp) => {
        if (guard) await noSagaRunning();
        const events = decideOn(model.state());
        if (isOrdersError(events)) throw domainProblem(events);
        if (events.length === 0) return { events: [], positions: [] };
        const envelopes = stamp(
          events.map((event) =>
            newEvent({
              type: event.type,
              key: ordersEventKey(event),
              data: event.data,
              producer: opts.identity.id,
              correlationId,
              clock: deps.clock,
            }),
          ),
        );
        const positions = await deps.bus.publish(opts.topic, envelopes);
        await model.folded(positions.at(-1)!, waitMs);
        log.debug({ events: events.length, first: events[0]?.type }, 'appended');
        return { events: envelopes, positions };
      });
    });

  const parse = (raw: unknown): OrdersCommand => {
    const command = parseOrdersCommand(raw);
    if (isOrdersError(command)) throw domainProblem(command);
    return command;
  };

  const runCommand = (
    after: string | undefined,
    correlationId: string,
    command: OrdersCommand,
    keyed: KeyedRequest | undefined,
  ) => write(after, correlationId, (state) => decide(command, state, ids), movesStockOrMoney(command), keyed);

  const createdIds = (events: readonly Pick<Envelope, 'type' | 'data'>[]) =>
    events.flatMap((e) => (e.type.endsWith('-created') ? [(e.data as { id: string }).id] : []));

  return {
    identity: opts.identity,
    description:
      'OrderShop command side: creates, updates and deletes customers, products, inventory, orders, billings',
    routes(app) {
      for (const route of ENTITY_ROUTES) {
        for (const path of createPaths(route)) {
          app.post(
            path,
            {
              schema: {
                summary: `Create ${route.collection} (one object or an array) -> their ids`,
                tags: ['orders'],
                headers: writeHeaders,
                body: anyBody,
                response: { 200: z.array(z.string()) },
              },
            },
            async (req, reply) => {
              const command = parse({ type: route.create, items: req.body });
              const w = await runCommand(afterOf(req), req.id, command, keyedRequest(req));
              return markWritten(reply, w.positions).code(200).send(createdIds(w.events));
            },
          );
        }
        app.put(
          `/${route.singular}/:id`,
          {
            schema: {
              summary: `Change fields of one ${route.singular} -> true (as the seed answers)`,
              tags: ['orders'],
              headers: writeHeaders,
              params: idParams,
              body: anyBody,
              response: { 200: z.literal(true) },
            },
          },
          async (req, reply) => {
            const command = parse({ type: route.update, id: req.params.id, changes: req.body });
            const w = await runCommand(afterOf(req), req.id, command, keyedRequest(req));
            return markWritten(reply, w.positions).code(200).send(true);
          },
        );
        app.delete(
          `/${route.singular}/:id`,
          {
            schema: {
              summary: `Delete one ${route.singular} -> true (as the seed answers)`,
              tags: ['orders'],
              headers: writeHeaders,
              params: idParams,
              response: { 200: z.literal(true) },
            },
          },
          async (req, reply) => {
            const command = parse({ type: route.remove, id: req.params.id });
            const w = await runCommand(afterOf(req), req.id, command, keyedRequest(req));
            return markWritten(reply, w.positions).code(200).send(true);
          },
        );
      }

      app.post(
        '/order',
        {
          schema: {
            summary: 'Place an order {product_ids, customer_id} -> the order, pending (an array creates many -> ids)',
            tags: ['shop'],
            headers: writeHeaders,
            body: anyBody,
            response: { 200: z.union([z.record(z.string(), z.unknown()), z.array(z.string())]) },
          },
        },
        async (req, reply) => {
          const command = parse({ type: 'create-orders', items: req.body });
          const w = await runCommand(afterOf(req), req.id, command, keyedRequest(req));
          if (Array.isArray(req.body)) return markWritten(reply, w.positions).code(200).send(createdIds(w.events));
          const created = w.events.find((e) => e.type === 'order-created');
          return markWritten(reply, w.positions)
            .code(200)
            .send({ ...(created?.data as Record<string, unknown>) });
        },
      );

      app.post(
        '/init-data',
        {
          schema: {
            summary: 'Load the demo data (accounts 101-103, items 201-205): missing ones created, changed ones reset',
            tags: ['shop'],
            headers: writeHeaders,
            response: { 200: z.object({ events: z.number().int() }) },
          },
        },
        async (req, reply) => {
          const w = await write(afterOf(req), req.id, decideDemoData, true, keyedRequest(req));
          return markWritten(reply, w.positions).code(200).send({ events: w.events.length });
        },
      );
    },
    readiness: () => model.model.readiness(),
    failed: model.model.failed,
    stop: () => model.stop(),
  };
}
