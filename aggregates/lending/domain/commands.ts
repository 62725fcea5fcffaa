import { z } from 'zod';
import { issuesOf, LendingInputSchema, RequestIdSchema, validationError, type LendingInput } from './validation.js';
import type { LendingError } from './errors.js';

/** What a caller asks: `requestId` is chosen by the caller (gateway, CLI) and makes the command idempotent. */
export interface LendingRequestData {
  readonly requestId: string;
  readonly user: string;
  readonly books: readonly string[];
}
/** Reported by the shelving service: the batch sent by return `requestId` is back on the shelves. */
export interface ShelveData {
  readonly requestId: string;
  readonly books: readonly string[];
}

export type RequestBooks = { readonly type: 'request'; readonly data: LendingRequestData };
export type ReturnBooks = { readonly type: 'return'; readonly data: LendingRequestData };
export type ShelveBooks = { readonly type: 'shelve'; readonly data: ShelveData };
export type LendingCommand = RequestBooks | ReturnBooks | ShelveBooks;
export type LendingCommandType = LendingCommand['type'];

/**
 * Message types of commands on the wire (the `lending-commands` topic / stream), kebab-case past tense like
 * every envelope type: a caller reports that something was requested; the aggregate answers with outcome events.
 */
export const LENDING_COMMAND_MESSAGE_TYPES = {
  request: 'lending-requested',
  return: 'return-requested',
  shelve: 'shelving-completed',
} as const satisfies Record<LendingCommandType, string>;
export type LendingCommandMessageType = (typeof LENDING_COMMAND_MESSAGE_TYPES)[LendingCommandType];

const CommandDataSchema = LendingInputSchema.extend({ requestId: RequestIdSchema });

export const LendingCommandDataSchemas = {
  'lending-requested': CommandDataSchema,
  'return-requested': CommandDataSchema,
  'shelving-completed': z.object({ requestId: RequestIdSchema, books: LendingInputSchema.shape.books }),
} as const;

/** Builds a validated command from input that passed `validateLendingInput` and a fresh request id. */
export function lendingCommand(type: 'request' | 'return', requestId: string, input: LendingInput): LendingCommand {
  return { type, data: { requestId, user: input.user, books: input.books } };
}

/**
 * Turns a wire message (`{ type, data }`, e.g. an envelope) into a command. Accepts the wire type
 * (`lending-requested`) or the command type (`request`). Unknown type or bad data -> `LEND_ERR_VALIDATION`.
 */
export function parseLendingCommand(message: {
  readonly type: string;
  readonly data: unknown;
}): LendingCommand | LendingError {
  const type = commandTypeOf(message.type);
  if (!type) return validationError([{ field: 'type', message: `unknown lending command type "${message.type}"` }]);
  const parsed = LendingCommandDataSchemas[LENDING_COMMAND_MESSAGE_TYPES[type]].safeParse(message.data);
  if (!parsed.success) {
    return validationError(issuesOf(parsed.error, '', 'data'));
  }
  return { type, data: parsed.data } as LendingCommand;
}

function commandTypeOf(type: string): LendingCommandType | undefined {
  for (const [command, wire] of Object.entries(LENDING_COMMAND_MESSAGE_TYPES)) {
    if (type === command || type === wire) return command as LendingCommandType;
  }
  return undefined;
}
