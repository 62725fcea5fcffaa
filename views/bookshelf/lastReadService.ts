import { z } from 'zod';
import { BOOKSHELF_PARTITIONS, type BookshelfEvent } from '../../aggregates/bookshelf/contract.js';
import { bareJsonAsRead, textLineAsRead } from '../../aggregates/bookshelf/contract.js';
import { bookshelfRegistry } from '../../aggregates/bookshelf/contract.js';
import {
  readYourWrites,
  startReadModel,
  type ComponentIdentity,
  type PlatformDeps,
  type ServiceComponent,
} from '../../platform/index.js';
import { lastReadProjection } from './lastRead.js';

export interface LastReadOptions {
  identity: ComponentIdentity;
  topic: string;
  group: string;
  /** How many books the list shows (default 5). */
  last: number;
}

const Item = z.record(z.string(), z.unknown());

/**
 * `lastreadbooks`: GET / -> the last N read books, oldest first. Rebuilt from the topic at every start; a plain
 * text line pushed with kcat counts as a read of that title, a bare JSON object as a `book-read`.
 */
export async function lastReadService(deps: PlatformDeps, opts: LastReadOptions): Promise<ServiceComponent> {
  await deps.bus.ensureTopic(opts.topic, { partitions: BOOKSHELF_PARTITIONS });
  let projection = lastReadProjection(opts.last);
  const model = await startReadModel(deps.bus, {
    topics: [opts.topic],
    group: opts.group,
    registry: bookshelfRegistry(),
    ingest: { text: textLineAsRead, bareJson: bareJsonAsRead },
    apply: (event) => {
      if (event.type !== 'book-added' && event.type !== 'book-read') return false;
      projection.apply(event as unknown as BookshelfEvent);
      return true;
    },
    reset: () => (projection = lastReadProjection(opts.last)),
    log: deps.log,
  });
  return {
    identity: opts.identity,
    description: `The last ${opts.last} books read, oldest first`,
    async routes(app) {
      await app.register(readYourWrites, { catchUp: (token) => model.catchUp(token) });
      app.get(
        '/',
        {
          schema: {
            summary: `The last ${opts.last} read books, oldest first`,
            response: { 200: z.array(Item) },
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
