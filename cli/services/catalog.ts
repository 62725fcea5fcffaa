import type { ExtraOptions, OptionSpec } from '../../restlib/index.js';
import type {
  ComponentIdentity,
  PlatformConfigOf,
  PlatformDeps,
  PlatformServiceSpec,
  ServiceComponent,
} from '../../platform/index.js';

/**
 * A service the CLI can start alone (`bookshelf <command...>`) or beside the others (`bookshelf up`, `start`):
 * its spec (Consul identity, default port, flags) and how to build it from a config.
 */
export interface ServiceEntry<X extends ExtraOptions = ExtraOptions> {
  /** CLI words after `bookshelf`, e.g. `['view', 'last-read']`. */
  command: readonly string[];
  spec: PlatformServiceSpec<X>;
  create(deps: PlatformDeps, config: PlatformConfigOf<X>): Promise<ServiceComponent> | ServiceComponent;
}

/** Keeps each entry's option types while listing entries of different shapes together. */
export function serviceEntry<X extends ExtraOptions = Record<never, OptionSpec>>(entry: ServiceEntry<X>): ServiceEntry {
  return entry;
}

/** The Consul identity a service registers with, from its config (flags override the catalog's defaults). */
export function identityOf(c: { name: string; id: string; tags: readonly string[] }): ComponentIdentity {
  return { name: c.name, id: c.id, tags: [...c.tags] };
}
