// The library domain's published surface: catalog and patron schemas, events, errors, demo data.
export {
  BookSchema,
  CatalogQuerySchema,
  CredentialsSchema,
  findPatron,
  libraryRegistry,
  libraryTopic,
  PatronSchema,
  type Book,
  type Credentials,
  type LibraryEvent,
  type Patron,
} from './catalog.js';
export { LibraryError, LIBRARY_ERRORS } from './errors.js';
export { DEMO_BOOKS, DEMO_PATRONS } from './demo.js';
export { SEED_BOOKS, SEED_COPIES, SEED_PATRONS } from './seedDemo.js';
