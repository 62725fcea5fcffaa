import { z } from 'zod';
import { BOOKSHELF_PARTITIONS, BookSchema, type BookshelfEvent } from '../../aggregates/bookshelf/contract.js';
import { bookshelfRegistry } from '../../aggregates/bookshelf/contract.js';
import {
  readYourWrites,
  startReadModel,
  type ComponentIdentity,
  type PlatformDeps,
  type ServiceComponent,
} from '../../platform/index.js';
import { bookListProjection } from './bookList.js';

export interface BookListOptions {
  identity: ComponentIdentity;
  topic: string;
  group: string;
}

/**
 * `booklist`: GET / -> every added book. A bare JSON object pushed with kcat is a `book-added`; without an id
 * it gets one derived from its place in the log, so every rebuild gives it the same id.
 */
export async function bookListService(deps: PlatformDeps, opts: BookListOptions): Promise<ServiceComponent> {
  await deps.bus.ensureTopic(opts.topic, { partitions: BOOKSHELF_PARTITIONS });
  let projection = bookListProjection();
  const model = await startReadModel(deps.bus, {
    topics: [opts.topic],
    group: opts.group,
    registry: bookshelfRegistry(),
    ingest: {
      bareJson: (obj, raw) => ({
        type: 'book-added',
        data: { id: `${raw.topic}-${raw.position.partition}-${raw.position.offset}`, ...obj },
      }),
    },
    apply: (event) => {
      if (event.type !== 'book-added') return false;
      projection.apply(event as unknown as BookshelfEvent);
      return true;
    },
    reset: () => (projection = bookListProjection()),
    log: deps.log,
  });
  return {
    identity: opts.identity,
    description: 'Every book added to the shelf',
    async routes(app) {
      await app.register(readYourWrites, { catchUp: (token) => model.catchUp(token) });
      app.get(
        '/',
        {
          schema: {
            summary: 'Every added book, in the order added',
            response: { 200: z.array(BookSchema) },
          },
        },
        () => {
          return projection.query();
        },
      );
    },
    readiness: () => model.readiness(),
    failed: model.failed,
    stop: () => model.stop(),
  };
}
