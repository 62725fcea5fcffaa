import { z } from 'zod';
import { lendingConfig } from '../../aggregates/lending/contract.js';
import { splitList } from '../../restlib/index.js';
import { lendingCommandService } from '../../aggregates/lending/services.js';
import { shelvingService } from '../../aggregates/lending/services.js';
import { lendingTopics, NamespaceSchema } from '../../aggregates/lending/contract.js';
import { lendingWorkerService } from '../../aggregates/lending/services.js';
import { lendingViewService } from '../../views/lending/services.js';
import { identityOf, serviceEntry } from './catalog.js';

const count = z.coerce.number().int().min(0);

const namespace = {
  flag: '--namespace <prefix>',
  description: 'prefix of the lending topics, streams and keys',
  env: ['BOOKSHELF_LENDING_NAMESPACE'],
  schema: NamespaceSchema,
  default: '',
};
const copies = {
  flag: '--copies <n>',
  description: 'copies of every book',
  env: ['BOOKSHELF_LENDING_COPIES'],
  schema: count.min(1),
  default: 1,
};
/** `--copies-of b1=2 b2=3`: copies of particular books (others have --copies). */
const copiesOf = {
  flag: '--copies-of <book=n...>',
  description: 'copies of particular books, e.g. --copies-of b1=2 b2=3 (others have --copies)',
  env: ['BOOKSHELF_LENDING_COPIES_OF'],
  schema: z.preprocess(
    splitList,
    z
      .array(z.string().regex(/^[^=\s]+=[1-9]\d{0,5}$/, 'must be book=n with n from 1 to 999999'))
      .transform((pairs) =>
        Object.fromEntries(pairs.map((p) => [p.slice(0, p.lastIndexOf('=')), Number(p.slice(p.lastIndexOf('=') + 1))])),
      ),
  ),
  default: [],
};
const rules = {
  namespace,
  copies,
  copiesOf,
  limit: {
    flag: '--limit <n>',
    description: 'most books one user may hold',
    env: ['BOOKSHELF_LENDING_LIMIT'],
    schema: count.min(1),
    default: 5,
  },
  loanDays: {
    flag: '--loan-days <n>',
    description: 'loan period in days',
    env: ['BOOKSHELF_LENDING_LOAN_DAYS'],
    schema: count.min(1),
    default: 14,
  },
  storageCapacity: {
    flag: '--storage-capacity <n>',
    description: 'copies the automated storage holds',
    env: ['BOOKSHELF_LENDING_STORAGE'],
    schema: count,
    default: 20,
  },
  force: {
    flag: '--force',
    description: 'take over the worker lock of this instance id if another worker holds it',
    schema: z.boolean(),
  },
};

/** The lending domain (SPEC §6): command service, view service, shelving service and the hosted worker. */
export const LENDING_SERVICES = [
  serviceEntry({
    command: ['aggregate', 'lending'],
    spec: {
      program: 'bookshelf aggregate lending',
      description: 'lending: POST /requests, POST /returns {user, books} -> 202 with a request id',
      defaults: { name: 'lending', id: 'lending1', tags: ['lending', 'commands'], port: 8091 },
      options: { namespace },
    },
    create: (deps, c) => lendingCommandService(deps, { identity: identityOf(c), topics: lendingTopics(c.namespace) }),
  }),
  serviceEntry({
    command: ['view', 'lending'],
    spec: {
      program: 'bookshelf view lending',
      description: 'lendingview: GET /requests/{id}, /users/{user}, /books/{book}',
      defaults: { name: 'lendingview', id: 'lendingview1', tags: ['lending', 'view'], port: 8092 },
      options: { namespace, copies, copiesOf },
    },
    create: (deps, c) =>
      lendingViewService(deps, {
        identity: identityOf(c),
        topics: lendingTopics(c.namespace),
        group: c.group,
        config: lendingConfig({ copiesPerBook: c.copies, copiesByBook: c.copiesOf }),
      }),
  }),
  serviceEntry({
    command: ['aggregate', 'shelving'],
    spec: {
      program: 'bookshelf aggregate shelving',
      description: 'shelving: puts returned books that did not fit in storage back on the shelves',
      defaults: { name: 'shelving', id: 'shelving1', tags: ['lending', 'shelving'], port: 8093 },
      options: { namespace },
    },
    create: (deps, c) =>
      shelvingService(deps, { identity: identityOf(c), topics: lendingTopics(c.namespace), group: c.group }),
  }),
  serviceEntry({
    command: ['aggregate', 'lending-worker'],
    spec: {
      program: 'bookshelf aggregate lending-worker',
      description: 'lendingworker: the lending worker as a service (name = --id); GET / -> its counters',
      defaults: { name: 'lendingworker', id: 'lendingworker1', tags: ['lending', 'worker'], port: 8094 },
      options: rules,
    },
    create: (deps, c) =>
      lendingWorkerService(deps, {
        identity: identityOf(c),
        topics: lendingTopics(c.namespace),
        config: lendingConfig({
          limit: c.limit,
          copiesPerBook: c.copies,
          copiesByBook: c.copiesOf,
          loanDays: c.loanDays,
          storageCapacity: c.storageCapacity,
        }),
        bus: c.bus,
        registry: c.registry,
        ...(c.force ? { force: true } : {}),
      }),
  }),
];
