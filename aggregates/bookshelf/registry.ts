import { createEventRegistry, type EventRegistry } from '../../eventlib/index.js';
import { BOOKSHELF_EVENT_TYPES } from './events.js';

/** The bookshelf event types with their schemas: a `book-read` with neither id nor title is poison. */
export function bookshelfRegistry(): EventRegistry {
  const registry = createEventRegistry();
  for (const def of BOOKSHELF_EVENT_TYPES) registry.register(def);
  return registry;
}
