import { z } from 'zod';
import { newEvent } from '../../eventlib/index.js';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../platform/index.js';
import {
  afterOf,
  domainProblem,
  idempotencyKeyHeader,
  IdempotencyLedger,
  idempotentWrites,
  keyedRequest,
  markWritten,
  readYourWritesHeaders,
  startReadModel,
} from '../../platform/index.js';
import { decide, isBookshelfDomainError, knownBooks } from './decide.js';
import { BOOKSHELF_PARTITIONS, type BookshelfEvent } from './events.js';
import { bookshelfRegistry } from './registry.js';

export interface ReadBookOptions {
  identity: ComponentIdentity;
  topic: string;
  group: string;
}

const FinishBody = z.object({ id: z.string().trim().min(1, 'id must not be empty').max(200) }).strict();

/**
 * `readbook`: POST / {"id"} -> 204; appends `book-read`. The id must name an added book (else 404
 * BOOK_ERR_NOT_FOUND): the service keeps the set of added ids from the topic. A book added a moment ago through
 * another service may not have reached that set yet, so an unknown id first waits for the caller's writes
 * (`bookshelf-after`) and for the log's current end before it is refused. A retry with the same `Idempotency-Key`
 * appends nothing.
 */
export async function readBookService(deps: PlatformDeps, opts: ReadBookOptions): Promise<ServiceComponent> {
  await deps.bus.ensureTopic(opts.topic, { partitions: BOOKSHELF_PARTITIONS });
  const known = knownBooks();
  const ledger = new IdempotencyLedger();
  const model = await startReadModel(deps.bus, {
    ledger,
    topics: [opts.topic],
    group: opts.group,
    registry: bookshelfRegistry(),
    apply: (event) => {
      if (event.type !== 'book-added') return false;
      known.apply(event as unknown as BookshelfEvent);
      return true;
    },
    log: deps.log,
  });

  const writes = idempotentWrites({ ledger, settle: () => model.settle() });

  const ensureKnown = async (id: string, after: string | undefined) => {
    if (known.has(id)) return;
    await model.catchUp(after);
    if (known.has(id)) return;
    await model.waitUntilCaughtUp(2000).catch(() => undefined);
  };

  return {
    identity: opts.identity,
    description: 'Records finished books (command side): emits book-read',
    routes(app) {
      app.post(
        '/',
        {
          schema: {
            summary: 'Finish a book',
            body: FinishBody,
            headers: z.object({ ...readYourWritesHeaders, ...idempotencyKeyHeader }),
            response: { 204: z.null().describe('recorded') },
          },
        },
        async (req, reply) => {
          const written = await writes(keyedRequest(req), async (stamp) => {
            await ensureKnown(req.body.id, afterOf(req));
            const events = decide({ kind: 'finish-book', id: req.body.id }, known);
            if (isBookshelfDomainError(events)) throw domainProblem(events);
            const envelopes = stamp(
              events.map((e) =>
                newEvent({
                  type: e.type,
                  key: req.body.id,
                  data: e.data,
                  producer: opts.identity.id,
                  correlationId: req.id,
                  clock: deps.clock,
                }),
              ),
            );
            return { events: envelopes, positions: await deps.bus.publish(opts.topic, envelopes) };
          });
          markWritten(reply, written.positions);
          return reply.code(204).send(null);
        },
      );
    },
    readiness: () => model.readiness(),
    failed: model.failed,
    stop: () => model.stop(),
  };
}
