import type { OrdersEvent } from '../events.js';
import { applyOrdersEvent } from '../evolve.js';
import { OrdersStateDraft, type OrdersState } from '../state.js';
import { sagaReactions } from './steps.js';

export interface SagaRun {
  /** The state after every event, including all saga follow-ups. */
  readonly state: OrdersState;
  /** The given events and every event the saga produced, in the order they were applied. */
  readonly events: readonly OrdersEvent[];
}

/**
 * Applies `events` and runs every saga step they trigger, and the steps those trigger, until nothing is left:
 * the in-process way to run the saga (embedded mode, tests).
 *
 * Depth first, like a participant on the log: an event is applied before the steps it triggers decide, and a
 * step's output is applied before the next input is taken. So two orders placed together never reserve the same
 * units. Pure; it terminates because every step emits at most once per order.
 */
export function runSagaLocally(state: OrdersState, events: Iterable<OrdersEvent>): SagaRun {
  const draft = new OrdersStateDraft(state);
  const pending: OrdersEvent[] = [...events].reverse();
  const applied: OrdersEvent[] = [];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    applyOrdersEvent(draft, next);
    applied.push(next);
    const produced = sagaReactions(next, draft.current()).flatMap((reaction) => reaction.events);
    for (let i = produced.length - 1; i >= 0; i -= 1) pending.push(produced[i] as OrdersEvent);
  }
  return { state: draft.finish(), events: applied };
}
