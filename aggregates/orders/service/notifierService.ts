import { z } from 'zod';
import { ack, newEvent, skip } from '../../../eventlib/index.js';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../../platform/index.js';
import {
  CRM_KINDS,
  MESSAGE_KINDS,
  NOTIFICATION_KINDS,
  notificationsFor,
  recordedOrdersEvent,
  type Notification,
  type NotificationKind,
} from '../index.js';
import { startOrdersStateModel } from './ordersStateModel.js';
import { groupSchema, identitySchema, topicNameSchema, validOptions } from '../../../platform/index.js';
import { ensureOrdersTopic, NOTIFICATION_SENT, notificationsTopic, ordersRegistry } from './topics.js';

/** Jittered backoff up to 5 s, about an hour and a half of attempts before a trigger is dead-lettered. */
const NOTIFIER_RETRY = Object.freeze({ maxAttempts: 1000, baseMs: 200, maxMs: 5_000 });
/** How long to wait for the state to fold the trigger before retrying (ms). */
const FOLD_WAIT_MS = 30_000;

export { CRM_KINDS, MESSAGE_KINDS };

export interface NotifierOptions {
  identity: ComponentIdentity;
  topic: string;
  /** Durable consumer group: a notifier that was down resumes here and catches up. */
  group: string;
  kinds: readonly NotificationKind[];
  /** Human name in descriptions and logs (`crm`, `messages`). */
  label: string;
}

const OptionsSchema = z.object({
  identity: identitySchema,
  topic: topicNameSchema,
  group: groupSchema,
  kinds: z.array(z.enum(NOTIFICATION_KINDS)).min(1),
  label: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a short lower-case word'),
});

/**
 * A notifier (`orders-crm`, `orders-messages`): for each orders event, the notifications of its kinds
 * (`notificationsFor` on the state before the event), logged and published as `notification-sent` on
 * `<topic>.notifications`, then acked. Its consumer group is durable, so what was published while it was down is
 * sent when it comes back; notification ids are `<event id>:<kind>`, so a redelivery adds nothing to the view.
 */
export async function notifierService(deps: PlatformDeps, options: NotifierOptions): Promise<ServiceComponent> {
  const opts = validOptions(OptionsSchema, options, 'orders notifier');
  const kinds = new Set(opts.kinds);
  const log = deps.log.child({ component: `orders-${opts.label}`, topic: opts.topic });
  const outTopic = notificationsTopic(opts.topic);
  await ensureOrdersTopic(deps.bus, opts.topic);
  /** Notifications of folded events not yet sent, by event id, in log order. */
  const due = new Map<string, Notification[]>();
  let sent = 0;
  const model = await startOrdersStateModel(deps.bus, {
    topic: opts.topic,
    group: `${opts.group}-state-${opts.identity.id}`,
    log,
    beforeApply: (event, before) => {
      const mine = notificationsFor(event, before).filter((n) => kinds.has(n.kind));
      if (mine.length > 0) due.set(event.id, mine);
    },
  });
  // Not a decider (it keeps no state of its own outputs): a durable group that, for each event, waits until the
  // state has folded it (so `due` holds its notifications), publishes them, then acks; a crash before the ack
  // redelivers the event and the view dedupes the notifications by id.
  const subscription = await deps.bus
    .subscribe({
      topics: [opts.topic],
      group: opts.group,
      consumerName: `${opts.identity.id}-${opts.label}`,
      from: 'beginning',
      retry: NOTIFIER_RETRY,
      registry: ordersRegistry(),
      handler: async (envelope, ctx) => {
        if (recordedOrdersEvent(envelope) === undefined) return skip('not an orders event');
        await model.folded(ctx.position, FOLD_WAIT_MS);
        const notifications = due.get(envelope.id);
        if (notifications === undefined) return ack();
        // Everything before this event in the log was handled (the group acks in order): forget it.
        for (const id of due.keys()) {
          if (id === envelope.id) break;
          due.delete(id);
        }
        const out = notifications.map((n) =>
          newEvent({ type: NOTIFICATION_SENT, key: n.to, data: n, producer: opts.identity.id, causedBy: envelope }),
        );
        await deps.bus.publish(outTopic, out);
        for (const n of notifications) log.info({ kind: n.kind, to: n.to, subject: n.subject }, 'notification sent');
        sent += notifications.length;
        return ack();
      },
    })
    .catch(async (err: unknown) => {
      await model.stop();
      throw err;
    });

  return {
    identity: opts.identity,
    description: `Orders ${opts.label}: sends ${opts.kinds.join(', ')} notifications`,
    routes(app) {
      app.get(
        '/status',
        {
          schema: {
            summary: 'What this notifier has handled and sent',
            tags: ['orders'],
            response: { 200: z.record(z.string(), z.unknown()) },
          },
        },
        () => ({ ...subscription.stats(), sent }),
      );
    },
    readiness: () => model.model.readiness(),
    failed: model.model.failed,
    stop: async () => {
      await subscription.close();
      await model.stop();
    },
  };
}
