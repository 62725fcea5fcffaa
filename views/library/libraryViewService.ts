import { z } from 'zod';
import { problem } from '../../restlib/index.js';
import {
  BookSchema,
  CatalogQuerySchema,
  CredentialsSchema,
  findPatron,
  LibraryError,
  libraryRegistry,
  PatronSchema,
  type LibraryEvent,
} from '../../aggregates/library/contract.js';
import {
  afterOf,
  domainProblem,
  readYourWrites,
  readYourWritesHeaders,
  startReadModel,
  type ComponentIdentity,
  type PlatformDeps,
  type ServiceComponent,
} from '../../platform/index.js';
import { emptyLibrary, evolveLibrary, searchCatalog, type LibraryModel } from './model.js';

export interface LibraryViewOptions {
  identity: ComponentIdentity;
  topic: string;
  group: string;
}

const Headers = z.object(readYourWritesHeaders);

/**
 * `libraryview`: the catalog and the patrons, rebuilt from the `library` topic at every start. `GET /books`
 * (search `q`, `title`, `author`), `GET /books/{id}`, `GET /patrons`, `GET /patrons/{libraryId}`,
 * `POST /patrons/login` (credentials -> the patron, or 401). Honours `bookshelf-after`.
 */
export async function libraryViewService(deps: PlatformDeps, opts: LibraryViewOptions): Promise<ServiceComponent> {
  let model: LibraryModel = emptyLibrary;
  await deps.bus.ensureTopic(opts.topic, { partitions: 1 });
  const read = await startReadModel(deps.bus, {
    topics: [opts.topic],
    group: opts.group,
    registry: libraryRegistry(),
    apply: (event) => {
      if (event.type !== 'book-cataloged' && event.type !== 'patron-registered') return false;
      model = evolveLibrary(model, { type: event.type, data: event.data } as LibraryEvent);
      return true;
    },
    reset: () => (model = emptyLibrary),
    log: deps.log,
  });
  return {
    identity: opts.identity,
    description: 'Library views: the catalog (with search) and the patrons',
    async routes(app) {
      await app.register(readYourWrites, { catchUp: (token) => read.catchUp(token) });
      app.get(
        '/books',
        {
          schema: {
            summary: 'The catalog; q, title and author filter by case-insensitive substring',
            tags: ['library'],
            querystring: CatalogQuerySchema,
            response: { 200: z.object({ books: z.array(BookSchema) }) },
          },
        },
        async (req) => {
          return { books: searchCatalog(model.books.values(), req.query) };
        },
      );
      app.get(
        '/books/:id',
        {
          schema: {
            summary: 'One book of the catalog',
            tags: ['library'],
            params: z.object({ id: z.string().max(100) }),
            response: { 200: BookSchema },
          },
        },
        async (req) => {
          const book = model.books.get(req.params.id);
          if (!book) throw problem(404, 'REST_ERR_NOT_FOUND', `no book ${req.params.id} in the catalog`);
          return book;
        },
      );
      app.get(
        '/patrons',
        {
          schema: {
            summary: 'The registered patrons',
            tags: ['library'],
            response: { 200: z.object({ patrons: z.array(PatronSchema) }) },
          },
        },
        () => {
          return { patrons: [...model.patrons.values()] };
        },
      );
      app.get(
        '/patrons/:libraryId',
        {
          schema: {
            summary: 'One patron',
            tags: ['library'],
            params: z.object({ libraryId: z.string().max(40) }),
            response: { 200: PatronSchema },
          },
        },
        async (req) => {
          const patron = model.patrons.get(req.params.libraryId);
          if (!patron) throw problem(404, 'REST_ERR_NOT_FOUND', `no patron ${req.params.libraryId}`);
          return patron;
        },
      );
      app.post(
        '/patrons/login',
        {
          schema: {
            summary: 'Check a login: first and last name (case-insensitive) and library ID (exact)',
            tags: ['library'],
            body: CredentialsSchema,
            headers: Headers,
            response: { 200: PatronSchema },
          },
        },
        async (req) => {
          await read.catchUp(afterOf(req));
          const patron = findPatron(model.patrons, req.body);
          if (!patron) {
            throw domainProblem(new LibraryError('LIB_ERR_LOGIN_FAILED', 'no patron with this name and library ID'));
          }
          return patron;
        },
      );
    },
    readiness: () => read.readiness(),
    failed: read.failed,
    stop: () => read.stop(),
  };
}
