import { z } from 'zod';
import { createEventRegistry, type EventBus, type EventRegistry } from '../../../eventlib/index.js';
import { ORDERS_EVENT_SCHEMAS, ORDERS_EVENT_TYPES, ORDERS_EVENT_VERSION } from '../index.js';
import { NOTIFICATION_KINDS } from '../notifications/notification.js';

/** Default orders topic (Kafka) / stream (Redis): every orders event, in one total order. */
export const DEFAULT_ORDERS_TOPIC = 'orders';

/** Where the notifiers publish what they sent: `<orders topic>.notifications`. */
export function notificationsTopic(ordersTopic: string): string {
  return `${ordersTopic}.notifications`;
}

/** The event a notifier publishes for every notification it sends (CRM, messages, billing). */
export const NOTIFICATION_SENT = 'notification-sent';

export const notificationSentSchema = z.object({
  id: z.string().min(1).max(300),
  kind: z.enum(NOTIFICATION_KINDS),
  to: z.string().min(1).max(300),
  subject: z.string().max(500),
  body: z.string().max(5000),
  causedBy: z.string().min(1).max(200),
});

/** Every orders event type at ORDERS_EVENT_VERSION, and `notification-sent`; other types pass unchanged. */
export function ordersRegistry(): EventRegistry {
  const registry = createEventRegistry();
  for (const type of ORDERS_EVENT_TYPES) {
    registry.register({ type, version: ORDERS_EVENT_VERSION, schema: ORDERS_EVENT_SCHEMAS[type] as z.ZodType });
  }
  registry.register({ type: NOTIFICATION_SENT, version: 1, schema: notificationSentSchema });
  return registry;
}

/**
 * Creates the orders topic with ONE partition before anything else touches it (publish and subscribe would create
 * it with the bus default): the state is rebuilt in one total order (see README.md, "Concurrency"). A topic that
 * already exists keeps its partitions.
 */
export async function ensureOrdersTopic(bus: EventBus, topic: string): Promise<void> {
  await bus.ensureTopic(topic, { partitions: 1 });
}
