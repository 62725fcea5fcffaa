import {
  OrdersStateDraft,
  applyOrdersEvent,
  emptyOrdersState,
  notificationsFor,
  type Notification,
  type OrdersState,
  type RecordedOrdersEvent,
} from '../../../aggregates/orders/contract.js';

/**
 * The orders read model: the entities as the log describes them (the domain's own `evolve`, so a deleted
 * entity stays deleted after a rebuild) and every notification, by id, in the order they were caused.
 */
export interface OrdersView {
  readonly state: OrdersState;
  readonly notifications: ReadonlyMap<string, Notification>;
}

export const emptyOrdersView: OrdersView = Object.freeze({ state: emptyOrdersState, notifications: new Map() });

/** Projects one event; pure (the given view is not changed). */
export function projectOrdersEvent(view: OrdersView, event: RecordedOrdersEvent): OrdersView {
  return projectOrdersEvents(view, [event]);
}

/**
 * Projects events in log order; pure, and each touched collection is copied once per call, not per event.
 * Notifications are computed on the state before their event (so the good-bye still finds the deleted
 * customer's email) and keyed by id, so a redelivered event adds nothing twice.
 */
export function projectOrdersEvents(view: OrdersView, events: Iterable<RecordedOrdersEvent>): OrdersView {
  const draft = new OrdersStateDraft(view.state);
  let notifications: Map<string, Notification> | undefined;
  for (const event of events) {
    for (const notification of notificationsFor(event, draft.current())) {
      if ((notifications ?? view.notifications).has(notification.id)) continue;
      notifications ??= new Map(view.notifications);
      notifications.set(notification.id, notification);
    }
    applyOrdersEvent(draft, event);
  }
  return Object.freeze({ state: draft.finish(), notifications: notifications ?? view.notifications });
}

/**
 * The same projection for a long-running view service: events are applied in place, O(1) each, where the pure
 * `projectOrdersEvent` copies a collection per call. `view` is a live read of the current state: read it
 * synchronously (an HTTP handler), don't keep it across awaits.
 */
export class LiveOrdersView {
  readonly #draft: OrdersStateDraft;
  readonly #notifications: Map<string, Notification>;

  constructor(from: OrdersView = emptyOrdersView) {
    this.#draft = new OrdersStateDraft(from.state);
    this.#notifications = new Map(from.notifications);
  }

  /** Same rules as `projectOrdersEvents`. */
  apply(event: RecordedOrdersEvent): void {
    for (const notification of notificationsFor(event, this.#draft.current())) {
      if (!this.#notifications.has(notification.id)) this.#notifications.set(notification.id, notification);
    }
    applyOrdersEvent(this.#draft, event);
  }

  applyAll(events: Iterable<RecordedOrdersEvent>): void {
    for (const event of events) this.apply(event);
  }

  get view(): OrdersView {
    return { state: this.#draft.current(), notifications: this.#notifications };
  }
}
