import { type Envelope, type EventBus, type Position } from '../../eventlib/index.js';
import { z } from 'zod';
import type { PlatformDeps, ServiceComponent, ComponentIdentity } from '../../platform/index.js';
import { idempotencyKeyHeader, keyedRequest, markWritten, startKeyedWrites } from '../../platform/index.js';
import { BookSchema, libraryEnvelopes, libraryRegistry, PatronSchema, type Book, type Patron } from './catalog.js';
import { DEMO_BOOKS, DEMO_PATRONS } from './demo.js';
import { SEED_BOOKS, SEED_PATRONS } from './seedDemo.js';

/** The demo data sets: ours (`default`) and seed 004's own (`seed`: 20 books, 2 copies each, 6 patrons). */
export const DEMO_SETS = {
  default: { books: DEMO_BOOKS, patrons: DEMO_PATRONS },
  seed: { books: SEED_BOOKS, patrons: SEED_PATRONS },
} as const;
export type DemoSet = keyof typeof DEMO_SETS;

export interface LibraryServiceOptions {
  identity: ComponentIdentity;
  topic: string;
  /** Append the demo catalog and patrons at start (idempotent: records are upserts by id). */
  loadDemo: boolean;
  /** Which demo data set `loadDemo` appends (default: ours). */
  demoSet?: DemoSet;
}

/** Appends catalog and patron records to the library topic (marked by `stamp`, e.g. an idempotency key). */
export async function publishLibraryRecords(
  bus: EventBus,
  topic: string,
  records: { books?: readonly Book[]; patrons?: readonly Patron[] },
  meta: { producer: string; clock: () => Date },
  stamp: (events: readonly Envelope[]) => Envelope[] = (events) => [...events],
): Promise<{ events: Envelope[]; positions: Position[] }> {
  const envelopes = stamp(libraryEnvelopes(records, meta));
  if (envelopes.length === 0) return { events: [], positions: [] };
  return { events: envelopes, positions: await bus.publish(topic, envelopes) };
}

/**
 * Appends a demo data set: ours (about 20 books, 2 copies each, and the demo patrons) or, with `seed`, seed 004's
 * own (its 20 books, 2 copies each, and its 6 patrons).
 */
export function loadDemoLibrary(
  bus: EventBus,
  topic: string,
  meta: { producer: string; clock: () => Date },
  stamp?: (events: readonly Envelope[]) => Envelope[],
  set: DemoSet = 'default',
) {
  return publishLibraryRecords(bus, topic, DEMO_SETS[set], meta, stamp);
}

/**
 * `library` (command side of catalog and patrons): `POST /books`, `POST /patrons` (upserts) and
 * `POST /load-demo`; appends `book-cataloged` / `patron-registered` to the `library` topic.
 */
export async function libraryService(deps: PlatformDeps, opts: LibraryServiceOptions): Promise<ServiceComponent> {
  await deps.bus.ensureTopic(opts.topic, { partitions: 1 });
  const meta = { producer: opts.identity.id, clock: deps.clock };
  if (opts.loadDemo) await loadDemoLibrary(deps.bus, opts.topic, meta, undefined, opts.demoSet);
  const keyed = await startKeyedWrites(deps.bus, {
    topics: [opts.topic],
    group: `${opts.identity.id}.keys`,
    registry: libraryRegistry(),
    log: deps.log,
  });
  const headers = z.object(idempotencyKeyHeader);
  return {
    identity: opts.identity,
    description: 'Library catalog and patrons (command side): emits book-cataloged, patron-registered',
    routes(app) {
      const Written = z.object({ written: z.number() });
      for (const [path, schema, key, summary] of [
        ['/books', BookSchema, 'books', 'Catalog books (upsert by id)'],
        ['/patrons', PatronSchema, 'patrons', 'Register patrons (upsert by library ID)'],
      ] as const) {
        app.post(
          path,
          {
            schema: {
              summary,
              tags: ['library'],
              headers,
              body: z.array(schema).min(1).max(1000),
              response: { 201: Written },
            },
          },
          async (req, reply) => {
            const written = await keyed.run(keyedRequest(req), (stamp) =>
              publishLibraryRecords(deps.bus, opts.topic, { [key]: req.body }, meta, stamp),
            );
            markWritten(reply, written.positions);
            return reply.code(201).send({ written: req.body.length });
          },
        );
      }
      app.post(
        '/load-demo',
        {
          schema: {
            summary: "Load the demo catalog and patrons (set=seed: seed 004's own demo data)",
            tags: ['library'],
            headers,
            querystring: z.object({ set: z.enum(['default', 'seed']).default('default') }),
            response: { 201: Written },
          },
        },
        async (req, reply) => {
          const { set } = req.query;
          const written = await keyed.run(keyedRequest(req), (stamp) =>
            loadDemoLibrary(deps.bus, opts.topic, meta, stamp, set),
          );
          markWritten(reply, written.positions);
          return reply.code(201).send({ written: DEMO_SETS[set].books.length + DEMO_SETS[set].patrons.length });
        },
      );
    },
    readiness: () => keyed.model.readiness(),
    failed: keyed.model.failed,
    stop: () => keyed.stop(),
  };
}
