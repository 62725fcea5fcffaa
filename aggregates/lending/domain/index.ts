/**
 * Lending domain core (SPEC §6): pure `decide` / `evolve`, no I/O, clock and rules injected.
 *
 * ## Consistency design, per transport (implemented by the service layer, not here)
 *
 * The rules live in ONE place, `decide` below. Each transport only supplies an ordering or an atomic commit
 * around it; neither re-implements a rule. Invariants: a copy is never lent twice; a user never holds more than
 * `limit`; every request/return gets exactly one outcome, also after crashes and redeliveries.
 *
 * Why no natural partition key: a request names several books and the limit spans all of a user's books, so
 * conflicting commands share a book OR a user. Keying by user lets two users take the same copy; keying by book
 * lets one user exceed the limit. So Kafka gets one total order, Redis gets per-key optimistic locking.
 *
 * ### Kafka: one ordered log, one decider at a time (`worker/logWorker.ts`; also the in-memory bus)
 * - `lending-commands`: ONE partition. Wire types `lending-requested`, `return-requested`, `shelving-completed`
 *   (`LENDING_COMMAND_MESSAGE_TYPES`). `lending-events`: ONE partition, key `lending`, the outcome events in
 *   decision order. `books-for-shelving`: copies of `books-sent-to-shelving` for the shelving service.
 *   `ensureLendingTopics` creates them before anything publishes.
 * - All lending workers join one consumer group; the single partition has one owner, so decisions are serial
 *   and need no locks. The other workers are hot standbys that take over on rebalance (crash, session timeout,
 *   leave). On Kafka extra workers buy availability, not throughput.
 * - The state is never kept apart from the log: every worker, standby or not, runs a follower subscription that
 *   replays `lending-events` from the beginning at every start (eventlib `replay`) and `evolve`s each event.
 * - Per command: `parseLendingCommand` (a `LendingError` -> dead-letter the command); ask the broker for the end
 *   of `lending-events` and wait until the follower has applied it (a worker that just took over sees everything
 *   its predecessor appended); `decide(command, state, { now, config })`; publish the events to `lending-events`
 *   (and `books-sent-to-shelving` to `books-for-shelving`); wait until the follower has applied them; only then
 *   ack (commit the offset). No events (the requestId was decided before) -> ack only (a redelivered return whose
 *   shelving copy may have been lost gets it re-sent). `LendingError` from `decide` -> dead-letter the command.
 * - The outcome is appended before the offset is committed, so a crash in between redelivers the command to a
 *   state that already holds its requestId: `decide` produces nothing (`outcomeOf` gives the earlier outcome).
 * - No Kafka transactions (kafkajs' transactional producer is known to misbehave; the design is correct without
 *   it because the state is rebuilt from the log and commands are deduplicated by requestId). What they would add
 *   is fencing a zombie owner, a worker that lost the partition without noticing: that window is bounded by the
 *   consumer session timeout.
 *
 * ### Redis Streams: optimistic transactions (WATCH / MULTI / EXEC), a batch of commands at a time
 * - State lives in Redis keys, one per entry, all under the hash tag `{lending}`: `{lending}:book:<id>`,
 *   `{lending}:user:<id>`, `{lending}:outcome:<requestId>`, `{lending}:shelving:<requestId>` (JSON) and
 *   `{lending}:storage` (integer). Commands arrive on the `lending-commands` stream (group created at `0` with
 *   MKSTREAM), outcomes go to the `lending-events` stream, overflow also to `books-for-shelving`.
 * - Workers with different names consume in parallel on eventlib's atomic subscription (`subscribeAtomic`: its
 *   loop, reclaiming and dead letters). Per run of commands, on the subscription's transaction connection:
 *   `unionReadSet(commands.map(readSetOf))` -> WATCH those keys -> MGET them -> `stateFromSlice` -> `decide` and
 *   `evolveAll` each command in order -> `sliceOf(next, readSet)` -> MULTI: SET/DEL the keys, INCRBY the storage
 *   delta, XADD every event to `lending-events` (+ `books-for-shelving`), dead letters, XACK the run -> EXEC. A nil
 *   EXEC means another worker changed a key these decisions read: eventlib decides the run's commands one by one
 *   from WATCH (jittered backoff, budget; progress is guaranteed because a conflict means another transaction
 *   committed). Duplicate requestId -> acknowledged only; `LendingError` -> dead-letter, in the same MULTI.
 * - Every rule depends only on keys in the read set (the requested books' copies, the user's loans, the
 *   request's outcome record, the storage counter for returns), so two commands conflict exactly when they share a
 *   key, and WATCH serialises exactly those. 50 users asking for one book all WATCH `book:<id>`: one EXEC wins, the
 *   rest retry and are denied. One user's 20 requests all WATCH `user:<id>`: never more than the limit.
 * - Crashes: EXEC applies state, outcome and XACK together or not at all, so nothing is ever half-processed (the
 *   seed's temporary reservation sets are not needed). An un-acked command stays pending; the restarted worker
 *   reads its own pending entries first, others reclaim it with XAUTOCLAIM; deciding it again is safe.
 * - Why not a Lua script with the rules (the seed's way): it would be a second implementation of `decide`, in
 *   another language, that drifts from the one Kafka and the in-memory bus run. Redis is only asked for an atomic
 *   compare-and-commit, which WATCH/MULTI gives without any Lua. Cost: three round trips per run of commands and
 *   retries under contention. A generic, rule-free compare-and-set script (check key versions, write, XADD, XACK)
 *   would save one round trip with the same design.
 * - Two commands of one user taken by different workers may be decided in either order; a client that needs
 *   order waits for the outcome (`--wait`) before sending the next command.
 *
 * ### Availability and where copies are (reading of seed 000)
 * A copy is free when it is not lent, wherever it sits: automated storage, shelf, or the shelving cart. Lending
 * takes from storage first (frees capacity, like the seed's SMOVE), then the shelves, then the cart. In the seed's
 * code a copy sent to shelving could not be fetched until the shelving service had processed it (an artefact of its
 * HSETNX bookkeeping, not a documented rule); SPEC §6 only says a book is skipped when "no copy is free", so we
 * keep such copies lendable. `books-shelved` then lists only the copies of the batch still on the cart.
 *
 * Dates: due = the injected clock's UTC calendar date + `loanDays`, ISO `yyyy-mm-dd`.
 * Idempotency records (`outcomes`) grow with every request; pruning them by age (a dedupe window) together with
 * snapshots is future work.
 */
export { decide, type LendingContext } from './decide.js';
export { evolve, evolveAll, replay } from './evolve.js';
export {
  initialState,
  outcomeOf,
  loansOf,
  bookStateOf,
  copyCountsOf,
  sourceOfFreeCopy,
  EMPTY_BOOK,
  type LendingState,
  type BookState,
  type UserState,
  type Loan,
  type CopyCounts,
} from './state.js';
export {
  lendingConfig,
  copiesOf,
  DEFAULT_LENDING_CONFIG,
  LendingConfigSchema,
  type LendingConfig,
  type LendingConfigInput,
} from './config.js';
export {
  LENDING_COMMAND_MESSAGE_TYPES,
  LendingCommandDataSchemas,
  lendingCommand,
  parseLendingCommand,
  type LendingCommand,
  type LendingCommandType,
  type LendingCommandMessageType,
  type RequestBooks,
  type ReturnBooks,
  type ShelveBooks,
  type LendingRequestData,
  type ShelveData,
} from './commands.js';
export {
  LENDING_EVENT_TYPES,
  LENDING_EVENT_VERSION,
  LENDING_EVENT_KEY,
  DENIAL_CAUSES,
  LendingEventDataSchemas,
  isLendingEventType,
  parseLendingEvent,
  type LendingEvent,
  type LendingEventType,
  type LendingOutcome,
  type BooksLent,
  type LendingDenied,
  type BooksReturned,
  type BooksStored,
  type BooksSentToShelving,
  type BooksShelved,
  type BooksLentData,
  type LendingDeniedData,
  type BooksReturnedData,
  type BooksStoredData,
  type BooksSentToShelvingData,
  type BooksShelvedData,
  type LentBook,
  type SkippedBook,
  type CopySource,
  type SkipReason,
  type DenialCause,
} from './events.js';
export {
  validateLendingInput,
  validateRequestId,
  LendingInputSchema,
  RequestIdSchema,
  LENDING_INPUT_LIMITS,
  type LendingInput,
  type Validated,
} from './validation.js';
export {
  LENDING_ERRORS,
  LendingError,
  isLendingError,
  LENDING_ERROR_CODES,
  type LendingErrorCode,
  type LendingIssue,
} from './errors.js';
export { readSetOf, sliceOf, stateFromSlice, unionReadSet, type LendingReadSet, type LendingSlice } from './slice.js';
export { invariantViolations, toSnapshot, type LendingSnapshot } from './invariants.js';
export { dueDate } from './dates.js';
export { PersistentMap } from './persistentMap.js';
