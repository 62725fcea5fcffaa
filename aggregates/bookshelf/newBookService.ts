import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { newEvent } from '../../eventlib/index.js';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../platform/index.js';
import {
  domainProblem,
  idempotencyKeyHeader,
  keyedRequest,
  markWritten,
  startKeyedWrites,
} from '../../platform/index.js';
import { BOOKSHELF_PARTITIONS, BookInputSchema, BookSchema, type Book } from './events.js';
import { decide, isBookshelfDomainError } from './decide.js';
import { bookshelfRegistry } from './registry.js';

export interface NewBookOptions {
  identity: ComponentIdentity;
  topic: string;
  newId?: () => string;
}

/**
 * `newbook`: POST / with a book -> 201 with the book and its new id; appends `book-added`. A retry with the same
 * `Idempotency-Key` answers the first book and appends nothing (the key is kept in the log).
 */
export async function newBookService(deps: PlatformDeps, opts: NewBookOptions): Promise<ServiceComponent> {
  await deps.bus.ensureTopic(opts.topic, { partitions: BOOKSHELF_PARTITIONS });
  const newId = opts.newId ?? randomUUID;
  const keyed = await startKeyedWrites(deps.bus, {
    topics: [opts.topic],
    group: `${opts.identity.id}.keys`,
    registry: bookshelfRegistry(),
    log: deps.log,
  });
  return {
    identity: opts.identity,
    description: 'Adds books to the shelf (command side): emits book-added',
    routes(app) {
      app.post(
        '/',
        {
          schema: {
            summary: 'Add a book',
            headers: z.object(idempotencyKeyHeader),
            body: BookInputSchema,
            response: { 201: BookSchema },
          },
        },
        async (req, reply) => {
          const written = await keyed.run(keyedRequest(req), async (stamp) => {
            const events = decide({ kind: 'add-book', book: req.body, newId: newId() }, { has: () => false });
            if (isBookshelfDomainError(events)) throw domainProblem(events);
            const envelopes = stamp(
              events.map((event) =>
                newEvent({
                  type: event.type,
                  key: event.data.id ?? '',
                  data: event.data,
                  producer: opts.identity.id,
                  correlationId: req.id,
                  clock: deps.clock,
                }),
              ),
            );
            return { events: envelopes, positions: await deps.bus.publish(opts.topic, envelopes) };
          });
          markWritten(reply, written.positions);
          return reply.code(201).send(written.events[0]!.data as Book);
        },
      );
    },
    readiness: () => keyed.model.readiness(),
    failed: keyed.model.failed,
    stop: () => keyed.stop(),
  };
}
