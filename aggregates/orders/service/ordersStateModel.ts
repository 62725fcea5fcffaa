import type { Logger } from 'pino';
import type { EventBus, Position } from '../../../eventlib/index.js';
import { startReadModel, type IdempotencyLedger, type ReadModel } from '../../../platform/index.js';
import {
  OrdersStateDraft,
  applyOrdersEvent,
  emptyOrdersState,
  recordedOrdersEvent,
  sagasInFlight,
  type OrdersState,
  type RecordedOrdersEvent,
} from '../index.js';
import { ordersRegistry } from './topics.js';

export interface OrdersStateModelOptions {
  topic: string;
  /** Names the replay subscription in logs. */
  group: string;
  log: Logger;
  /** Called with each event and the state *before* it is applied (notifications need the deleted customer). */
  beforeApply?: (event: RecordedOrdersEvent, before: OrdersState) => void;
  /** Keyed writes seen in the log (the shop's idempotency keys). */
  ledger?: IdempotencyLedger;
}

/**
 * The orders state as the log describes it, rebuilt from the beginning at every start and kept current: every
 * event folded exactly once, in log order (one replay subscription, one partition). `sagasInFlight` reads the
 * orders whose stock or money moves are not finished yet off that state (the domain's `sagasInFlight`); the
 * command service uses it to keep absolute stock and balance writes from crossing a saga (README.md,
 * "Concurrency").
 */
export interface OrdersStateModel {
  readonly model: ReadModel;
  /** The current state; read it synchronously, don't keep it across awaits. */
  state(): OrdersState;
  /** Order ids created whose saga has not finished moving stock or money, computed from `state()`. */
  sagasInFlight(): ReadonlySet<string>;
  /** Resolves at the next applied event (or after `timeoutMs`). */
  changed(timeoutMs: number): Promise<void>;
  /** Resolves once `position` is folded (EVT_ERR_TIMEOUT otherwise). */
  folded(position: Position, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOrdersStateModel(bus: EventBus, opts: OrdersStateModelOptions): Promise<OrdersStateModel> {
  const draft = new OrdersStateDraft(emptyOrdersState);
  let waiters: (() => void)[] = [];
  const model = await startReadModel(bus, {
    topics: [opts.topic],
    group: opts.group,
    registry: ordersRegistry(),
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
    apply: (envelope) => {
      const event = recordedOrdersEvent(envelope);
      if (event === undefined) return false;
      opts.beforeApply?.(event, draft.current());
      applyOrdersEvent(draft, event);
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
      return true;
    },
    log: opts.log,
  });
  return {
    model,
    state: () => draft.current(),
    sagasInFlight: () => sagasInFlight(draft.current()),
    changed: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    folded: (position, timeoutMs = 10_000) => model.waitForPosition(position, timeoutMs),
    stop: async () => {
      await model.stop();
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
    },
  };
}
