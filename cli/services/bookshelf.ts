import { z } from 'zod';
import { newBookService } from '../../aggregates/bookshelf/services.js';
import { readBookService } from '../../aggregates/bookshelf/services.js';
import { bookListService, lastReadService } from '../../views/bookshelf/services.js';
import { identityOf, serviceEntry } from './catalog.js';

/** Read models replay the log into memory at every start: one group per instance, so two instances both see all. */
const instanceGroup = (c: { group: string; id: string }) => `${c.group}.${c.id}`;

/** The bookshelf domain (SPEC §5): Consul names, ids and tags as in the seed. */
export const BOOKSHELF_SERVICES = [
  serviceEntry({
    command: ['aggregate', 'new-book'],
    spec: {
      program: 'bookshelf aggregate new-book',
      description: 'newbook: POST / with a book -> 201 with its id; emits book-added',
      defaults: { name: 'newbook', id: 'newbook1', tags: ['books', 'new'], port: 8081 },
    },
    create: (deps, c) => newBookService(deps, { identity: identityOf(c), topic: c.topic }),
  }),
  serviceEntry({
    command: ['aggregate', 'read-book'],
    spec: {
      program: 'bookshelf aggregate read-book',
      description: 'readbook: POST / {"id"} -> 204; emits book-read',
      defaults: { name: 'readbook', id: 'readbook1', tags: ['books', 'read'], port: 8082 },
    },
    create: (deps, c) => readBookService(deps, { identity: identityOf(c), topic: c.topic, group: instanceGroup(c) }),
  }),
  serviceEntry({
    command: ['view', 'last-read'],
    spec: {
      program: 'bookshelf view last-read',
      description: 'lastreadbooks: GET / -> the last read books, oldest first',
      defaults: { name: 'lastreadbooks', id: 'lastread1', tags: ['books', 'last'], port: 8087 },
      options: {
        last: {
          flag: '--last <n>',
          description: 'how many books the list shows',
          env: ['BOOKSHELF_LAST'],
          schema: z.coerce.number().int().min(1).max(1000),
          default: 5,
        },
      },
    },
    create: (deps, c) =>
      lastReadService(deps, { identity: identityOf(c), topic: c.topic, group: instanceGroup(c), last: c.last }),
  }),
  serviceEntry({
    command: ['view', 'book-list'],
    spec: {
      program: 'bookshelf view book-list',
      description: 'booklist: GET / -> every added book',
      defaults: { name: 'booklist', id: 'booklist1', tags: ['books', 'list'], port: 8088 },
    },
    create: (deps, c) => bookListService(deps, { identity: identityOf(c), topic: c.topic, group: instanceGroup(c) }),
  }),
];
