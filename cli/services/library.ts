import { z } from 'zod';
import { libraryTopic } from '../../aggregates/library/contract.js';
import { libraryService } from '../../aggregates/library/services.js';
import { NamespaceSchema } from '../../aggregates/lending/contract.js';
import { libraryViewService } from '../../views/library/services.js';
import { identityOf, serviceEntry } from './catalog.js';

const namespace = {
  flag: '--namespace <prefix>',
  description: 'prefix of the library topic',
  env: ['BOOKSHELF_LIBRARY_NAMESPACE'],
  schema: NamespaceSchema,
  default: '',
};

/** The library web app's data (issue 9): catalog and patrons, command side and view. */
export const LIBRARY_SERVICES = [
  serviceEntry({
    command: ['aggregate', 'library'],
    spec: {
      program: 'bookshelf aggregate library',
      description: 'library: POST /books, /patrons, /load-demo; emits book-cataloged, patron-registered',
      defaults: { name: 'library', id: 'library1', tags: ['library', 'commands'], port: 8095 },
      options: {
        namespace,
        demo: {
          flag: '--demo <on|off|seed>',
          description:
            "load the demo catalog (about 20 books, 2 copies each) and demo patrons at start; seed: seed 004's own",
          env: ['BOOKSHELF_LIBRARY_DEMO'],
          schema: z.enum(['on', 'off', 'seed']),
          default: 'on',
        },
      },
    },
    create: (deps, c) =>
      libraryService(deps, {
        identity: identityOf(c),
        topic: libraryTopic(c.namespace),
        loadDemo: c.demo !== 'off',
        demoSet: c.demo === 'seed' ? 'seed' : 'default',
      }),
  }),
  serviceEntry({
    command: ['view', 'library'],
    spec: {
      program: 'bookshelf view library',
      description: 'libraryview: GET /books (q, title, author), /books/{id}, /patrons, POST /patrons/login',
      defaults: { name: 'libraryview', id: 'libraryview1', tags: ['library', 'view'], port: 8096 },
      options: { namespace },
    },
    create: (deps, c) =>
      libraryViewService(deps, {
        identity: identityOf(c),
        topic: libraryTopic(c.namespace),
        group: `${c.group}.${c.id}`,
      }),
  }),
];
