import { ack, skip, type Outcome } from '../../../eventlib/index.js';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../../platform/index.js';
import { parseLendingEvent } from '../domain/index.js';
import { commandEnvelope, lendingRegistry, type LendingTopics } from '../wire.js';
import { ensureLendingTopics } from './queue.js';

export interface ShelvingServiceOptions {
  identity: ComponentIdentity;
  topics: LendingTopics;
  group: string;
}

/**
 * `shelving`: puts returned copies that did not fit in the automated storage back on the shelves. Reads
 * `books-sent-to-shelving` from `books-for-shelving` and reports each batch with a `shelving-completed` command
 * (the worker turns it into `books-shelved`). At least once: a repeated report of a closed batch decides nothing.
 */
export async function shelvingService(deps: PlatformDeps, opts: ShelvingServiceOptions): Promise<ServiceComponent> {
  await ensureLendingTopics(deps.bus, opts.topics);
  let shelved = 0;
  const subscription = await deps.bus.subscribe({
    topics: [opts.topics.shelving],
    group: opts.group,
    from: 'beginning',
    registry: lendingRegistry(),
    handler: async (event): Promise<Outcome> => {
      const parsed = parseLendingEvent(event);
      if (parsed?.type !== 'books-sent-to-shelving') return skip('not a shelving batch');
      const command = commandEnvelope(
        { type: 'shelve', data: { requestId: parsed.data.requestId, books: parsed.data.books } },
        { producer: opts.identity.id, clock: deps.clock, causedBy: event },
      );
      await deps.bus.publish(opts.topics.commands, [command]);
      shelved += 1;
      return ack();
    },
  });
  return {
    identity: opts.identity,
    description: 'Shelving: puts returned books that did not fit in the automated storage back on the shelves',
    routes(app) {
      app.get('/', { schema: { summary: 'Shelving batches reported since start', tags: ['lending'] } }, async () => ({
        shelved,
        caughtUp: subscription.caughtUp(),
      }));
    },
    readiness: () => ({ ready: true, checks: { bus: deps.bus.kind, caughtUp: subscription.caughtUp() } }),
    stop: () => subscription.close(),
  };
}
