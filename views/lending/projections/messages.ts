import {
  LENDING_COMMAND_MESSAGE_TYPES,
  LendingCommandDataSchemas,
  parseLendingEvent,
  type LendingEvent,
  type LendingRequestData,
} from '../../../aggregates/lending/contract.js';

/** A request or return as queued on `lending-commands`: marks it pending until its outcome arrives. */
export type LendingQueued =
  | { readonly type: typeof LENDING_COMMAND_MESSAGE_TYPES.request; readonly data: LendingRequestData }
  | { readonly type: typeof LENDING_COMMAND_MESSAGE_TYPES.return; readonly data: LendingRequestData };

/** Everything the lending projections read: the aggregate's events plus queued requests/returns. */
export type LendingViewMessage = LendingEvent | LendingQueued;

/**
 * Narrows a `{ type, data }` message (an envelope) to what the lending views read, validating its payload.
 * Undefined for other types and for payloads that fail their schema (the consumer dead-letters those).
 */
export function toLendingViewMessage(message: {
  readonly type: string;
  readonly data: unknown;
}): LendingViewMessage | undefined {
  if (message.type === LENDING_COMMAND_MESSAGE_TYPES.request || message.type === LENDING_COMMAND_MESSAGE_TYPES.return) {
    const parsed = LendingCommandDataSchemas[message.type].safeParse(message.data);
    return parsed.success ? { type: message.type, data: parsed.data } : undefined;
  }
  return parseLendingEvent(message);
}
