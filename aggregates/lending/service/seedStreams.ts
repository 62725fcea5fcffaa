import type { Logger } from 'pino';
import type { EventBus, IngestRules, Subscription } from '../../../eventlib/index.js';
import { LENDING_COMMAND_MESSAGE_TYPES, LENDING_EVENT_KEY } from '../domain/index.js';
import { commandOf, commandEnvelope, isLendingError, lendingRegistry, type LendingTopics } from '../wire.js';

/**
 * The request id of a seed stream entry: `request-<entry id>` or `return-<entry id>` (`request-1733097600000-0`).
 * Derived from the entry, so a redelivered entry is the same request and is decided once.
 */
export function seedRequestId(kind: 'request' | 'return', entryId: string): string {
  return `${kind}-${entryId}`;
}

/**
 * The lending seed's wire format (its `get_books.py`): an entry `user_id U book_ids b1,b2` on
 * `lending_requests_event_stream` (a request) or `book_return_requests_event_stream` (a return). Read as a bare
 * JSON object by eventlib's Redis adapter; turned here into the same command the gateway queues. Missing or
 * malformed fields fail the command's schema, so the entry is dead-lettered with the reason.
 */
export function seedIngestRules(topics: LendingTopics): IngestRules {
  return {
    bareJson: (fields, raw) => {
      const kind = raw.topic === topics.seedReturns ? 'return' : 'request';
      const books = fields.book_ids;
      return {
        type: LENDING_COMMAND_MESSAGE_TYPES[kind],
        key: LENDING_EVENT_KEY,
        data: {
          requestId: seedRequestId(kind, raw.position.offset),
          user: fields.user_id,
          books: typeof books === 'string' ? books.split(',') : books,
        },
      };
    },
  };
}

/**
 * Consumes the seed's two streams (group created at `0` with MKSTREAM: entries written before any worker ran are
 * processed) and queues each entry on `lending-commands` as a request or return with its derived request id. The
 * entry is acknowledged after the command is durable; a crash in between queues it again under the same request
 * id, which the worker decides once.
 */
export async function consumeSeedStreams(
  bus: EventBus,
  topics: LendingTopics,
  opts: { consumerName: string; log: Logger },
): Promise<Subscription> {
  return bus.subscribe({
    topics: [topics.seedRequests, topics.seedReturns],
    group: `${topics.workerGroup}-seed-streams`,
    from: 'beginning',
    consumerName: opts.consumerName,
    registry: lendingRegistry(),
    ingest: seedIngestRules(topics),
    handler: async (event) => {
      const command = commandOf(event);
      // The registry has validated the entry already; this narrows the type.
      if (isLendingError(command)) throw command;
      await bus.publish(topics.commands, [commandEnvelope(command, { producer: opts.consumerName, causedBy: event })]);
      opts.log.debug({ requestId: command.data.requestId, kind: command.type }, 'queued a seed-stream entry');
    },
  });
}
