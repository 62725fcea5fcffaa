// The bookshelf domain's published surface: what views, the gateway and the cli may import from it.
export {
  BOOKSHELF_EVENT_TYPES,
  BOOKSHELF_PARTITIONS,
  BOOKSHELF_TOPIC,
  BookInputSchema,
  BookSchema,
  type Book,
  type BookInput,
  type BookRead,
  type BookshelfEvent,
} from './events.js';
export { bookshelfRegistry } from './registry.js';
export { bareJsonAsRead, textLineAsRead } from './ingest.js';
