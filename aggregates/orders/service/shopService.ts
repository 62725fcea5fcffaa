import { z } from 'zod';
import { ack, newEvent, type Envelope, type Position } from '../../../eventlib/index.js';
import { problem } from '../../../restlib/index.js';
import type {
  Decider,
  DeciderWire,
  PlatformDeps,
  ServiceComponent,
  ComponentIdentity,
} from '../../../platform/index.js';
import {
  decide,
  decideDemoData,
  emptyOrdersState,
  evolve,
  isOrdersError,
  ordersEventKey,
  parseOrdersCommand,
  randomIds,
  recordedOrdersEvent,
  sagasInFlight,
  type IdGenerator,
  type OrdersCommand,
  type OrdersEvent,
  type OrdersState,
} from '../index.js';
import {
  domainProblem,
  idempotencyKeyHeader,
  IdempotencyLedger,
  idempotentWrites,
  type KeyedRequest,
  keyedRequest,
  markWritten,
  stampIdempotency,
  startLogDecider,
  type WriteResult,
} from '../../../platform/index.js';
import { createPaths, ENTITY_ROUTES } from './entityRoutes.js';
import { afterHeaders, idParams } from './http.js';
import {
  drawnIds,
  idsFor,
  isBusy,
  keyedOf,
  SHOP_COMMAND,
  SHOP_COMMAND_KEY,
  shopCommandOf,
  shopCommandsTopic,
  shopRegistry,
  type ShopCommand,
  type ShopCommandData,
  type ShopOutcome,
  type ShopRejection,
} from './shopCommands.js';
import { groupSchema, identitySchema, topicNameSchema, validOptions } from '../../../platform/index.js';
import { ensureOrdersTopic } from './topics.js';

/** How long a write waits for the engine's decision before it answers 503 (a broker outage). */
const DECIDE_WAIT_MS = 30_000;

export interface OrdersShopOptions {
  identity: ComponentIdentity;
  /** The orders topic/stream (one partition). */
  topic: string;
  /** The engine's group on the command topic; its state group is `<group>-state-<instance id>`. */
  group: string;
  ids?: IdGenerator;
  /** How long a stock/balance write waits for running sagas (ms). */
  waitMs?: number;
}

const anyBody = z.unknown();
const writeHeaders = afterHeaders.extend(idempotencyKeyHeader);

const OptionsSchema = z.object({
  identity: identitySchema,
  topic: topicNameSchema,
  group: groupSchema,
  ids: z.custom<IdGenerator>((v) => typeof (v as IdGenerator | undefined)?.newId === 'function').default(randomIds),
  waitMs: z.int().min(1).max(600_000).default(10_000),
});

/**
 * `orders-shop`: the OrderShop command side. Validates with the domain, then queues each write as a command on
 * `<orders topic>.commands`, which the platform's write-side engine (`startLogDecider`) decides a batch at a time on
 * the state folded from the orders topic (everything in the log when the batch starts, and the writes before it in
 * the batch): one append, answered once its events are folded. One decider, one partition (README.md, "Concurrency").
 */
export async function ordersShopService(deps: PlatformDeps, options: OrdersShopOptions): Promise<ServiceComponent> {
  const opts = validOptions(OptionsSchema, options, 'orders-shop');
  const { ids, waitMs } = opts;
  const log = deps.log.child({ component: 'orders-shop', topic: opts.topic });
  const commandsTopic = shopCommandsTopic(opts.topic);
  await ensureOrdersTopic(deps.bus, opts.topic);
  await ensureOrdersTopic(deps.bus, commandsTopic);
  const ledger = new IdempotencyLedger();
  /** Commands whose events are in the log (their causation ids): a redelivered one decides nothing. */
  const decidedCommands = new Set<string>();
  /**
   * Idempotency keys decided earlier in the batch being decided: the ledger only knows folded events, and a keyed
   * retry (sent after its first attempt's 503) can share a batch with that attempt.
   */
  const keysInBatch = new Set<string>();
  const outcomes = new Map<string, (outcome: ShopOutcome) => void>();
  let changeWaiters: (() => void)[] = [];
  const settle = (commandId: string, outcome: ShopOutcome) => {
    outcomes.get(commandId)?.(outcome);
    outcomes.delete(commandId);
  };

  const shop: Decider<ShopCommand, OrdersEvent, OrdersState, ShopRejection> = {
    initialState: emptyOrdersState,
    decide: (command, state) => {
      if (decidedCommands.has(command.id)) return [];
      if (command.key !== undefined && (ledger.lookup(command.key) || keysInBatch.has(command.key))) return [];
      // Absolute stock and balance writes wait until no saga moves stock or money (README.md, "Concurrency").
      if (command.guarded) {
        const running = sagasInFlight(state).size;
        if (running > 0) return { busy: running };
      }
      const decided = command.demoData ? decideDemoData(state) : decide(command.command!, state, drawnIds(command));
      if (command.key !== undefined && Array.isArray(decided) && decided.length > 0) keysInBatch.add(command.key);
      return decided;
    },
    evolve,
    isRejection: (value): value is ShopRejection => isOrdersError(value) || isBusy(value),
  };
  const wire: DeciderWire<ShopCommand, OrdersEvent, ShopRejection> = {
    command: (envelope) => shopCommandOf(envelope),
    event: (envelope) => recordedOrdersEvent(envelope),
    envelopes: (events, causedBy) => {
      const keyed = keyedOf(causedBy);
      return stampIdempotency(
        events.map((e) =>
          newEvent({
            type: e.type,
            key: ordersEventKey(e),
            data: e.data,
            producer: opts.identity.id,
            causedBy,
            clock: deps.clock,
          }),
        ),
        keyed,
      );
    },
    describe: (rejection) => (isBusy(rejection) ? `${rejection.busy} saga(s) running` : rejection.message),
  };

  const engine = await startLogDecider(deps.bus, {
    name: opts.identity.id,
    commandsTopic,
    eventsTopic: opts.topic,
    group: opts.group,
    registry: shopRegistry(),
    decider: shop,
    wire,
    log,
    beginBatch: () => keysInBatch.clear(),
    onFolded: (envelope, position) => {
      ledger.observe(envelope, position);
      const causation = envelope.metadata.causationId;
      if (envelope.metadata.producer === opts.identity.id && causation !== undefined) decidedCommands.add(causation);
      const wake = changeWaiters;
      changeWaiters = [];
      for (const w of wake) w();
    },
    afterAppend: async (appended, positions) => {
      const byCommand = new Map<string, { events: Envelope[]; positions: Position[] }>();
      appended.forEach((envelope, i) => {
        const id = envelope.metadata.causationId ?? '';
        const written = byCommand.get(id) ?? { events: [], positions: [] };
        written.events.push(envelope);
        written.positions.push(positions[i]!);
        byCommand.set(id, written);
      });
      for (const [id, written] of byCommand) settle(id, written);
      log.debug({ events: appended.length, commands: byCommand.size }, 'appended');
    },
    onRejection: (rejection, command) => {
      settle(command.id, { rejected: rejection });
      return ack();
    },
    onDuplicate: async (command) => {
      const recorded = command.key === undefined ? undefined : ledger.lookup(command.key);
      settle(command.id, recorded ?? { events: [], positions: [] });
    },
  });

  const changed = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      changeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  /** Queue one command for the engine and wait for its outcome (decided on the state with everything before it). */
  const submit = async (envelope: Envelope): Promise<ShopOutcome> => {
    const outcome = new Promise<ShopOutcome>((resolve) => outcomes.set(envelope.id, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        outcomes.delete(envelope.id);
        reject(
          problem(503, 'REST_ERR_UNAVAILABLE', `the orders shop has not decided the write within ${DECIDE_WAIT_MS} ms`),
        );
      }, DECIDE_WAIT_MS);
    });
    try {
      await deps.bus.publish(commandsTopic, [envelope]);
      return await Promise.race([outcome, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  // The ledger is fed by the engine's state subscription; the engine brings it up to the log's end.
  const keyedWrites = idempotentWrites({ ledger, settle: () => engine.catchUp() });

  /**
   * Decide on the shop's state through the write-side engine: one command envelope on the shop's command topic,
   * answered when its events are durable and folded (or rejected). A keyed retry of a write the log already holds is
   * answered from its events. An absolute stock or balance write that meets a running saga is queued again at the
   * next change of the state, for up to `waitMs`.
   */
  const write = (correlationId: string, data: ShopCommandData, keyed: KeyedRequest | undefined): Promise<WriteResult> =>
    keyedWrites(keyed, async (stamp) => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const [envelope] = stamp([
          newEvent({
            type: SHOP_COMMAND,
            key: SHOP_COMMAND_KEY,
            data,
            producer: opts.identity.id,
            correlationId,
            clock: deps.clock,
          }),
        ]);
        const outcome = await submit(envelope!);
        if (!('rejected' in outcome)) return outcome;
        if (isOrdersError(outcome.rejected)) throw domainProblem(outcome.rejected);
        const left = deadline - Date.now();
        if (left <= 0) {
          throw problem(
            503,
            'REST_ERR_UNAVAILABLE',
            `${outcome.rejected.busy} order(s) are still moving stock or money; retry when they are done`,
          );
        }
        await changed(left);
      }
    });

  const parse = (raw: unknown): OrdersCommand => {
    const command = parseOrdersCommand(raw);
    if (isOrdersError(command)) throw domainProblem(command);
    return command;
  };

  const runCommand = (correlationId: string, command: OrdersCommand, keyed: KeyedRequest | undefined) =>
    write(correlationId, { command, ids: idsFor(command, ids) }, keyed);

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
              const w = await runCommand(req.id, command, keyedRequest(req));
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
            const w = await runCommand(req.id, command, keyedRequest(req));
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
            const w = await runCommand(req.id, command, keyedRequest(req));
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
          const w = await runCommand(req.id, command, keyedRequest(req));
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
          const w = await write(req.id, { demoData: true, ids: [] }, keyedRequest(req));
          return markWritten(reply, w.positions).code(200).send({ events: w.events.length });
        },
      );
    },
    readiness: () => {
      const rebuilt = engine.ready();
      return { ready: rebuilt, checks: { bus: deps.bus.kind, rebuilt, caughtUp: engine.commands.caughtUp() } };
    },
    failed: engine.failed.then((err) => {
      throw err;
    }),
    stop: async () => {
      await engine.close();
      for (const id of [...outcomes.keys()]) outcomes.delete(id);
      const wake = changeWaiters;
      changeWaiters = [];
      for (const w of wake) w();
    },
  };
}
