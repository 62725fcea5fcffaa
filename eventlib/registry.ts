import { z } from 'zod';
import type { Envelope } from './envelope.js';
import { EVENT_TYPE_PATTERN } from './envelope.js';
import { EventLibError } from './errors.js';

export interface EventTypeDefinition<D = unknown> {
  type: string;
  version: number;
  schema: z.ZodType<D>;
  /**
   * Converts data of an older registered version into this version's shape. `fromVersion` is the version the
   * data has (the next lower registered version). Without it, events of older versions cannot be read.
   */
  upcast?: (olderData: unknown, fromVersion: number) => unknown;
}

export interface EventRegistryOptions {
  /**
   * What a subscription with this registry does with events of a type it does not know. `skip` (default): they
   * are skipped without calling the handler, logged at debug and counted (`stats().unknown`). `pass`: they reach
   * the handler unchanged (and are counted). `reject`: they are poison (EVT_ERR_UNKNOWN_TYPE, dead-lettered).
   */
  unknownTypes?: 'skip' | 'pass' | 'reject';
}

export type RegistryParseResult = { ok: true; event: Envelope } | { ok: false; error: EventLibError };

export interface EventRegistry {
  /** See `EventRegistryOptions.unknownTypes`. */
  readonly unknownTypes: 'skip' | 'pass' | 'reject';
  /** Adds one version of one type. Throws EVT_ERR_INVALID_OPTIONS when that version is already registered. */
  register<D>(definition: EventTypeDefinition<D>): EventRegistry;
  has(type: string, version?: number): boolean;
  /** The highest registered version of `type`. */
  latestVersion(type: string): number | undefined;
  types(): string[];
  /**
   * Validates `event.data` against its type and version and upcasts it to the latest version.
   * Throws a poison error: EVT_ERR_SCHEMA, EVT_ERR_UNKNOWN_VERSION or (when rejecting) EVT_ERR_UNKNOWN_TYPE.
   */
  parse(event: Envelope): Envelope;
  safeParse(event: Envelope): RegistryParseResult;
}

interface TypeEntry {
  versions: Map<number, EventTypeDefinition>;
  /** Ascending registered versions. */
  order: number[];
}

/** The event types a service reads or writes: type -> zod schema per version, with upcasters from older versions. */
export function createEventRegistry(options: EventRegistryOptions = {}): EventRegistry {
  const unknownTypes = options.unknownTypes ?? 'skip';
  const entries = new Map<string, TypeEntry>();

  const registry: EventRegistry = {
    unknownTypes,
    register(definition) {
      if (!EVENT_TYPE_PATTERN.test(definition.type)) {
        throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `event type "${definition.type}" is not kebab-case`);
      }
      if (!Number.isInteger(definition.version) || definition.version < 1) {
        throw new EventLibError('EVT_ERR_INVALID_OPTIONS', `event version must be an integer >= 1`);
      }
      const entry = entries.get(definition.type) ?? { versions: new Map(), order: [] };
      if (entry.versions.has(definition.version)) {
        throw new EventLibError(
          'EVT_ERR_INVALID_OPTIONS',
          `event type ${definition.type} version ${definition.version} is already registered`,
        );
      }
      entry.versions.set(definition.version, definition);
      entry.order = [...entry.versions.keys()].sort((a, b) => a - b);
      entries.set(definition.type, entry);
      return registry;
    },

    has(type, version) {
      const entry = entries.get(type);
      return entry !== undefined && (version === undefined || entry.versions.has(version));
    },

    latestVersion(type) {
      return entries.get(type)?.order.at(-1);
    },

    types() {
      return [...entries.keys()];
    },

    parse(event) {
      const entry = entries.get(event.type);
      if (!entry) {
        if (unknownTypes !== 'reject') return event;
        throw new EventLibError('EVT_ERR_UNKNOWN_TYPE', `event type "${event.type}" is not registered`);
      }
      const own = entry.versions.get(event.version);
      if (!own) {
        throw new EventLibError(
          'EVT_ERR_UNKNOWN_VERSION',
          `${event.type} version ${event.version} is not registered (known: ${entry.order.join(', ')})`,
        );
      }
      let data = validate(own, event.data);
      let version = event.version;
      for (const next of entry.order) {
        if (next <= event.version) continue;
        const definition = entry.versions.get(next)!;
        if (!definition.upcast) {
          throw new EventLibError(
            'EVT_ERR_UNKNOWN_VERSION',
            `${event.type} version ${next} has no upcaster, so version ${version} events cannot be read`,
          );
        }
        let upcast: unknown;
        try {
          upcast = definition.upcast(data, version);
        } catch (err) {
          throw new EventLibError(
            'EVT_ERR_SCHEMA',
            `upcasting ${event.type} from version ${version} to ${next} failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        data = validate(definition, upcast);
        version = next;
      }
      return version === event.version && data === event.data ? event : { ...event, version, data };
    },

    safeParse(event) {
      try {
        return { ok: true, event: registry.parse(event) };
      } catch (err) {
        if (err instanceof EventLibError) return { ok: false, error: err };
        throw err;
      }
    },
  };
  return registry;
}

function validate(definition: EventTypeDefinition, data: unknown): unknown {
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    throw new EventLibError(
      'EVT_ERR_SCHEMA',
      `${definition.type} version ${definition.version} data is invalid: ${z.prettifyError(result.error)}`,
      { cause: result.error },
    );
  }
  return result.data;
}
