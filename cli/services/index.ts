import { BOOKSHELF_SERVICES } from './bookshelf.js';
import type { ServiceEntry } from './catalog.js';
import { GATEWAY_SERVICE } from './gateway.js';
import { LENDING_SERVICES } from './lending.js';
import { LIBRARY_SERVICES } from './library.js';
import { ORDERS_SERVICES } from './orders.js';

/** Every service of every domain, in start order (the gateway last, once its upstreams are registered). */
export const ALL_SERVICES: readonly ServiceEntry[] = [
  ...BOOKSHELF_SERVICES,
  ...ORDERS_SERVICES,
  ...LENDING_SERVICES,
  ...LIBRARY_SERVICES,
  GATEWAY_SERVICE,
];

/** The entry whose command words start `argv`, and the arguments after them. */
export function findService(argv: readonly string[]): { entry: ServiceEntry; rest: string[] } | undefined {
  for (const entry of ALL_SERVICES) {
    if (entry.command.every((word, i) => argv[i] === word)) return { entry, rest: argv.slice(entry.command.length) };
  }
  return undefined;
}
