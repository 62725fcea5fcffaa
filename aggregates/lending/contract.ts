// The lending domain's published surface: rules, commands and events on the wire, topics, outcome types.
export {
  copiesOf,
  DEFAULT_LENDING_CONFIG,
  LENDING_COMMAND_MESSAGE_TYPES,
  LENDING_INPUT_LIMITS,
  LendingCommandDataSchemas,
  lendingConfig,
  LendingInputSchema,
  parseLendingEvent,
  PersistentMap,
  validateLendingInput,
  type LendingConfig,
  type LendingEvent,
  type LendingOutcome,
  type LendingRequestData,
} from './domain/index.js';
export { lendingRegistry, lendingTopics, NamespaceSchema, type LendingTopics } from './wire.js';
export { describeOutcome } from './service/outcomeText.js';
// Queueing a request or return: what the lending service does, for the library view's seed 004 `POST /borrow`.
export { ensureLendingTopics, queueLending } from './service/queue.js';
