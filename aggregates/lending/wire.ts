import { z } from 'zod';
import { createEventRegistry, newEvent, type Envelope, type EventRegistry } from '../../eventlib/index.js';
import {
  LENDING_COMMAND_MESSAGE_TYPES,
  LENDING_EVENT_KEY,
  LENDING_EVENT_VERSION,
  LENDING_EVENT_TYPES,
  LendingCommandDataSchemas,
  LendingEventDataSchemas,
  isLendingError,
  parseLendingCommand,
  type LendingCommand,
  type LendingError,
  type LendingEvent,
} from './domain/index.js';

/** Where lending messages travel. A namespace prefixes every name (tests, several libraries on one cluster). */
export interface LendingTopics {
  /** Requests, returns and shelving reports (`lending-requested`, ...): ONE partition on Kafka. */
  readonly commands: string;
  /** The outcome events, in decision order: ONE partition on Kafka; the source of every view and of the state. */
  readonly events: string;
  /** Copies of `books-sent-to-shelving`, read by the shelving service. */
  readonly shelving: string;
  /** Redis key hash tag of the aggregate state (`{lending}:book:<id>`, ...). */
  readonly keyTag: string;
  /** Consumer group of the lending workers on `commands`. */
  readonly workerGroup: string;
  /** The lending seed's own streams (`XADD lending_requests_event_stream * user_id U book_ids b1,b2`), Redis only. */
  readonly seedRequests: string;
  readonly seedReturns: string;
}

export const NamespaceSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{0,100}$/, 'must be letters, digits, ".", "_" or "-" (at most 100)');

export function lendingTopics(namespace = ''): LendingTopics {
  const ns = NamespaceSchema.parse(namespace);
  return Object.freeze({
    commands: `${ns}lending-commands`,
    events: `${ns}lending-events`,
    shelving: `${ns}books-for-shelving`,
    keyTag: `{${ns}lending}`,
    workerGroup: `${ns}lending-worker`,
    seedRequests: `${ns}lending_requests_event_stream`,
    seedReturns: `${ns}book_return_requests_event_stream`,
  });
}

/** Every lending message type (commands and events) with its schema, for subscriptions that validate. */
export function lendingRegistry(): EventRegistry {
  const registry = createEventRegistry();
  for (const type of Object.values(LENDING_COMMAND_MESSAGE_TYPES)) {
    const schema: z.ZodType = LendingCommandDataSchemas[type];
    registry.register({ type, version: 1, schema });
  }
  for (const type of LENDING_EVENT_TYPES) {
    const schema: z.ZodType = LendingEventDataSchemas[type];
    registry.register({ type, version: LENDING_EVENT_VERSION, schema });
  }
  return registry;
}

/** A command as an envelope on `commands` (key `lending`: one ordered log). */
export function commandEnvelope(
  command: LendingCommand,
  opts: { producer: string; clock?: () => Date; correlationId?: string; causedBy?: Envelope },
): Envelope {
  return newEvent({
    type: LENDING_COMMAND_MESSAGE_TYPES[command.type],
    key: LENDING_EVENT_KEY,
    data: command.data,
    producer: opts.producer,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
    ...(opts.causedBy ? { causedBy: opts.causedBy } : {}),
  });
}

/** The outcome events of one command as envelopes caused by it. */
export function eventEnvelopes(
  events: readonly LendingEvent[],
  opts: { producer: string; causedBy: Envelope; clock: () => Date },
): Envelope[] {
  return events.map((event) =>
    newEvent({
      type: event.type,
      version: LENDING_EVENT_VERSION,
      key: LENDING_EVENT_KEY,
      data: event.data,
      producer: opts.producer,
      causedBy: opts.causedBy,
      clock: opts.clock,
    }),
  );
}

/** The command an envelope on `commands` carries, or the validation error (poison: dead-letter it). */
export function commandOf(envelope: Pick<Envelope, 'type' | 'data'>): LendingCommand | LendingError {
  return parseLendingCommand(envelope);
}

export { isLendingError };
