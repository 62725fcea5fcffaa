import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { newEvent, encodePositions, POSITION_HEADER } from '../../eventlib/index.js';
import type { PlatformDeps, ServiceComponent, ServiceIdentity } from '../../cli/host/component.js';
import { BOOKSHELF_PARTITIONS, BookInputSchema, BookSchema } from './events.js';
import { decide } from './decide.js';

export interface NewBookOptions {
  identity: ServiceIdentity;
  topic: string;
  newId?: () => string;
}

/** `newbook`: POST / with a book -> 201 with the book and its new id; appends `book-added`. */
export async function newBookService(deps: PlatformDeps, opts: NewBookOptions): Promise<ServiceComponent> {
  await deps.bus.ensureTopic(opts.topic, { partitions: BOOKSHELF_PARTITIONS });
  const newId = opts.newId ?? randomUUID;
  return {
    identity: opts.identity,
    description: 'Adds books to the shelf (command side): emits book-added',
    routes(app) {
      app.post(
        '/',
        {
          schema: {
            summary: 'Add a book',
            body: BookInputSchema,
            response: { 201: BookSchema },
          },
        },
        async (req, reply) => {
          const events = decide({ kind: 'add-book', book: req.body, newId: newId() }, { has: () => false });
          if (!Array.isArray(events)) throw events;
          const [event] = events;
          const envelope = newEvent({
            type: event!.type,
            key: event!.data.id ?? '',
            data: event!.data,
            producer: opts.identity.id,
            correlationId: req.id,
            clock: deps.clock,
          });
          const positions = await deps.bus.publish(opts.topic, [envelope]);
          void reply.header(POSITION_HEADER, encodePositions(positions));
          return reply.code(201).send(event!.data as z.infer<typeof BookSchema>);
        },
      );
    },
    readiness: () => ({ ready: true, checks: { bus: deps.bus.kind } }),
    stop: async () => {},
  };
}
