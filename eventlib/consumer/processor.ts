import type { Logger } from 'pino';
import type { Envelope } from '../envelope.js';
import { describeError } from '../errors.js';
import { decodeMessage, type IngestRules, type RawMessage } from '../ingest.js';
import {
  deadLetterTopic,
  type BatchContext,
  type BatchHandler,
  type Handler,
  type HandlerContext,
  type Outcome,
  type SubscriptionStats,
} from '../port.js';
import type { EventRegistry } from '../registry.js';
import { backoffDelay, isRetriableError, sleep, type RetryPolicy } from '../retry.js';
import { EventLibError } from '../errors.js';
import { recordError, startBatchSpan, startConsumerSpan, withSpan } from '../tracing.js';
import { deadLetterEnvelope, type DeadLetterCause, type DeadLetterData } from './deadLetter.js';
import type { DeadLetterSink } from './deadLetterSink.js';

/** `done`: the outcome is applied, the adapter may acknowledge. `aborted`: closing; leave the message unacknowledged. */
export type ProcessResult = 'done' | 'aborted';

export interface ProcessorOptions {
  group: string;
  /** Exactly one of `handler` (one event at a time: `process`) and `handleBatch` (`processBatch`). */
  handler?: Handler | undefined;
  handleBatch?: BatchHandler | undefined;
  registry?: EventRegistry | undefined;
  ingest?: IngestRules | undefined;
  retry: RetryPolicy;
  /** Where dead-letter records go (`<topic>.dlq` on the same bus), written once per record id. */
  deadLetters: DeadLetterSink;
  /** The bus's limit: a larger message is poison, and dead-letter records are kept within it. */
  maxEventBytes?: number | undefined;
  log: Logger;
  /** Aborted when the subscription closes: no new handler call starts, backoffs end early. */
  signal: AbortSignal;
}

export interface ProcessHooks {
  /** Called every second while waiting (backoff, dead-letter retries): Kafka heartbeats, Redis idle-time refresh. */
  keepAlive?: () => Promise<void>;
}

const KEEP_ALIVE_EVERY_MS = 1000;

/** What one atomic commit applies: the handler's effects, the dead letters and the acknowledgement, together. */
export interface AtomicCommitPlan<E> {
  /** Every message the commit acknowledges (poison ones of the run, already dead-lettered, included). */
  messages: readonly RawMessage[];
  /** Dead-letter records to write (once per id) in the same commit. */
  deadLetters: readonly { topic: string; record: Envelope<DeadLetterData> }[];
  /** The handler's effects; undefined when it gave up (every event dead-lettered). */
  effects: E | undefined;
}

/** The adapter's half of an atomic subscription (Redis: WATCH, MGET, MULTI / EXEC on its own connection). */
export interface AtomicSteps<E> {
  /** One call of the handler (the adapter adds its context: watch, read). */
  decide(
    events: readonly Envelope[],
    ctx: BatchContext,
  ): Promise<{ outcomes?: readonly Outcome[] | undefined; effects?: E | undefined }>;
  /** Applies the plan atomically; `conflict` when a watched key changed (nothing applied). */
  commit(plan: AtomicCommitPlan<E>): Promise<'committed' | 'conflict'>;
  /** Drops what a failed `decide` left behind (its WATCHes). */
  abandon(): Promise<void>;
}

/**
 * The one place that turns a raw message into an applied outcome, for every adapter: decode (poison ->
 * dead-letter), call the handler, retry with jittered backoff up to the policy's limit, skip, dead-letter.
 * Adapters fetch, call `process` one message at a time per partition, and acknowledge when it returns `done`.
 */
export class MessageProcessor {
  readonly #options: ProcessorOptions;
  readonly #stats: SubscriptionStats = {
    handled: 0,
    acked: 0,
    skipped: 0,
    retried: 0,
    deadLettered: 0,
    poison: 0,
    unknown: 0,
    alreadyDeadLettered: 0,
    conflicts: 0,
  };

  constructor(options: ProcessorOptions) {
    this.#options = options;
  }

  stats(): SubscriptionStats {
    return { ...this.#stats };
  }

  async process(message: RawMessage, hooks: ProcessHooks = {}): Promise<ProcessResult> {
    const { signal, log } = this.#options;
    if (signal.aborted) return 'aborted';
    const decoded = decodeMessage(message, this.#options);
    if (!decoded.ok && isDeadLetterTopic(message.topic)) {
      // Unreadable input on a dead-letter topic is not dead-lettered again (no `.dlq.dlq` chains): counted, skipped.
      log.warn(
        { topic: message.topic, position: message.position, err: describeError(decoded.error) },
        'poison message on a dead-letter topic: skipped',
      );
      this.#stats.poison++;
      return 'done';
    }
    if (!decoded.ok) {
      log.warn(
        { topic: message.topic, position: message.position, err: describeError(decoded.error) },
        'poison message: dead-lettering',
      );
      const result = await this.#deadLetter(
        message,
        { cause: 'poison', reason: decoded.error.message, error: decoded.error, attempts: 0 },
        hooks,
      );
      if (result === 'done') this.#stats.poison++;
      return result;
    }
    const { registry } = this.#options;
    if (registry && !registry.has(decoded.event.type)) {
      this.#stats.unknown++;
      if (registry.unknownTypes !== 'pass') {
        log.debug(
          { topic: message.topic, position: message.position, type: decoded.event.type },
          'unknown event type; skipped',
        );
        this.#stats.skipped++;
        this.#stats.handled++;
        return 'done';
      }
    }
    return this.#handle(message, decoded.event, hooks);
  }

  /** Dead-letters without calling the handler (Redis delivery cap). */
  async giveUp(
    message: RawMessage,
    cause: DeadLetterCause,
    reason: string,
    hooks: ProcessHooks = {},
  ): Promise<ProcessResult> {
    const decoded = decodeMessage(message, this.#options);
    const event = decoded.ok ? decoded.event : undefined;
    const result = await this.#deadLetter(message, { cause, reason, attempts: 0, event }, hooks);
    if (result === 'done') this.#stats.deadLettered++;
    return result;
  }

  /**
   * Batch mode (`handleBatch`): `messages` are consecutive on one topic-partition. Poison and unknown messages are
   * handled one by one as in `process`; the rest go to the batch handler together. `done` when every message's
   * outcome is applied; the adapter then acknowledges them all.
   */
  async processBatch(messages: readonly RawMessage[], hooks: ProcessHooks = {}): Promise<ProcessResult> {
    const { signal, log, handleBatch, retry } = this.#options;
    if (!handleBatch) throw new TypeError('processBatch needs the handleBatch option');
    if (signal.aborted) return 'aborted';
    const batch = await this.#decodeRun(messages, hooks);
    if (batch === 'aborted') return 'aborted';
    if (batch.length === 0) return 'done';
    const events = batch.map((b) => b.event);
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return 'aborted';
      let outcomes: readonly Outcome[] | void = undefined;
      let error: unknown;
      try {
        const span = startBatchSpan(batch[0]!.message.position.topic, events);
        span.setAttribute('bookshelf.attempt', attempt);
        try {
          outcomes = await withSpan(span, () => handleBatch(events, this.#batchContext(batch, attempt)));
        } catch (err) {
          recordError(span, err);
          throw err;
        } finally {
          span.end();
        }
        const retried = outcomes?.find((o) => o.kind === 'retry');
        if (retried)
          error = new Error(`the batch handler asked for a retry: ${retried.kind === 'retry' ? retried.reason : ''}`);
      } catch (err) {
        error = err;
      }
      if (error === undefined) {
        for (const [i, { message, event }] of batch.entries()) {
          const outcome = outcomes?.[i] ?? { kind: 'ack' };
          if (outcome.kind === 'dead-letter') {
            const what = { cause: 'handler' as const, reason: outcome.reason, attempts: attempt };
            if ((await this.#deadLetterByHandler(message, event, what, hooks)) === 'aborted') return 'aborted';
            continue;
          }
          this.#stats[outcome.kind === 'skip' ? 'skipped' : 'acked']++;
          this.#stats.handled++;
        }
        return 'done';
      }
      const never = !isRetriableError(error);
      if (never || attempt >= retry.maxAttempts) {
        const cause = never ? ('not-retriable' as const) : ('retries-exhausted' as const);
        const reason = `${never ? 'never retried' : `gave up after ${attempt} attempts`}: ${describeError(error).message}`;
        log.error({ err: describeError(error), attempt, events: batch.length }, `batch handler failed (${cause})`);
        for (const { message, event } of batch) {
          const what = { cause, reason, error, attempts: attempt };
          if ((await this.#deadLetterByHandler(message, event, what, hooks)) === 'aborted') return 'aborted';
        }
        return 'done';
      }
      const delay = backoffDelay(retry, attempt);
      log.warn({ err: describeError(error), attempt, delay, events: batch.length }, 'batch handler failed; retrying');
      this.#stats.retried++;
      if (!(await pause(delay, signal, hooks.keepAlive))) return 'aborted';
    }
  }

  /**
   * Atomic mode (Redis `subscribeAtomic`): like `processBatch`, but the outcomes are applied by `steps.commit`, which
   * acknowledges every message of the run (returning `done` means acknowledged: the adapter does not acknowledge
   * again). A commit that conflicts is decided again on fresh reads; a run of several events that conflicts is split
   * and each event decided and committed on its own. `maxConflicts` conflicts in a row count as one failed attempt.
   */
  async processAtomic<E>(
    messages: readonly RawMessage[],
    steps: AtomicSteps<E>,
    maxConflicts: number,
    hooks: ProcessHooks = {},
  ): Promise<ProcessResult> {
    if (this.#options.signal.aborted) return 'aborted';
    const batch = await this.#decodeRun(messages, hooks);
    if (batch === 'aborted') return 'aborted';
    return this.#atomicRun(batch, messages, steps, maxConflicts, hooks);
  }

  /** Batch modes: poison and refused unknown messages handled one by one (as `process`); the rest, decoded. */
  async #decodeRun(
    messages: readonly RawMessage[],
    hooks: ProcessHooks,
  ): Promise<{ message: RawMessage; event: Envelope }[] | 'aborted'> {
    const { registry } = this.#options;
    const batch: { message: RawMessage; event: Envelope }[] = [];
    for (const message of messages) {
      const decoded = decodeMessage(message, this.#options);
      const refused =
        !decoded.ok || (registry && !registry.has(decoded.event.type) && registry.unknownTypes !== 'pass');
      if (refused) {
        if ((await this.process(message, hooks)) === 'aborted') return 'aborted';
        continue;
      }
      if (registry && !registry.has(decoded.event.type)) this.#stats.unknown++;
      batch.push({ message, event: decoded.event });
    }
    return batch;
  }

  #batchContext(batch: readonly { message: RawMessage }[], attempt: number): BatchContext {
    const { log, signal } = this.#options;
    const first = batch[0]!.message.position;
    return {
      topic: first.topic,
      partition: first.partition,
      positions: batch.map((b) => b.message.position),
      attempt,
      log,
      signal,
    };
  }

  async #atomicRun<E>(
    batch: readonly { message: RawMessage; event: Envelope }[],
    acknowledge: readonly RawMessage[],
    steps: AtomicSteps<E>,
    maxConflicts: number,
    hooks: ProcessHooks,
  ): Promise<ProcessResult> {
    const { signal, log, retry, group } = this.#options;
    const dlq = (message: RawMessage) => deadLetterTopic(message.topic);
    const record = (
      message: RawMessage,
      event: Envelope,
      what: { cause: DeadLetterCause; reason: string; error?: unknown; attempts: number },
    ) => ({
      topic: dlq(message),
      record: deadLetterEnvelope({ message, group, ...what, event, maxBytes: this.#options.maxEventBytes }),
    });
    if (batch.length === 0)
      return this.#commitUntilDone(steps, { messages: acknowledge, deadLetters: [], effects: undefined }, hooks);
    const events = batch.map((b) => b.event);
    let conflicts = 0;
    for (let attempt = 1; ;) {
      if (signal.aborted) return 'aborted';
      let error: unknown;
      try {
        const decided = await steps.decide(events, this.#batchContext(batch, attempt));
        const outcomes = batch.map((_, i) => decided.outcomes?.[i] ?? { kind: 'ack' as const });
        const retried = outcomes.find((o) => o.kind === 'retry');
        if (retried)
          throw new Error(`the handler asked for a retry: ${retried.kind === 'retry' ? retried.reason : ''}`);
        const deadLetters = batch.flatMap(({ message, event }, i) => {
          const outcome = outcomes[i]!;
          return outcome.kind === 'dead-letter'
            ? [record(message, event, { cause: 'handler', reason: outcome.reason, attempts: attempt })]
            : [];
        });
        if ((await steps.commit({ messages: acknowledge, deadLetters, effects: decided.effects })) === 'committed') {
          for (const [i, { message }] of batch.entries()) {
            const outcome = outcomes[i]!;
            if (outcome.kind === 'dead-letter') {
              log.warn(
                {
                  topic: message.topic,
                  position: message.position,
                  dlq: dlq(message),
                  cause: 'handler',
                  reason: outcome.reason,
                },
                'dead-lettered',
              );
              this.#stats.deadLettered++;
            } else this.#stats[outcome.kind === 'skip' ? 'skipped' : 'acked']++;
            this.#stats.handled++;
          }
          return 'done';
        }
        this.#stats.conflicts++;
        if (batch.length > 1) {
          // Somebody changed a key of this run: decide its events one at a time, so one hot key delays only its own.
          log.debug({ events: batch.length }, 'atomic commit conflicted; deciding the events one by one');
          const rest = acknowledge.filter((m) => !batch.some((b) => b.message === m));
          for (const [i, one] of batch.entries()) {
            const ack = i === 0 ? [...rest, one.message] : [one.message];
            if ((await this.#atomicRun([one], ack, steps, maxConflicts, hooks)) === 'aborted') return 'aborted';
          }
          return 'done';
        }
        if (++conflicts < maxConflicts) {
          // A conflict means another client committed: the system progresses. Back off a little, decide again.
          if (!(await pause(Math.round(Math.random() * Math.min(100, 2 * conflicts)), signal, hooks.keepAlive)))
            return 'aborted';
          continue;
        }
        error = new EventLibError('EVT_ERR_CONFLICT', `${conflicts} commits in a row conflicted on watched keys`);
      } catch (err) {
        error = err;
      }
      conflicts = 0;
      await steps.abandon().catch(() => undefined);
      const never = !isRetriableError(error);
      if (never || attempt >= retry.maxAttempts) {
        const cause = never ? ('not-retriable' as const) : ('retries-exhausted' as const);
        const reason = `${never ? 'never retried' : `gave up after ${attempt} attempts`}: ${describeError(error).message}`;
        log.error({ err: describeError(error), attempt, events: batch.length }, `atomic handler failed (${cause})`);
        const deadLetters = batch.map(({ message, event }) =>
          record(message, event, { cause, reason, error, attempts: attempt }),
        );
        const result = await this.#commitUntilDone(
          steps,
          { messages: acknowledge, deadLetters, effects: undefined },
          hooks,
        );
        if (result === 'done') {
          this.#stats.deadLettered += batch.length;
          this.#stats.handled += batch.length;
        }
        return result;
      }
      const delay = backoffDelay(retry, attempt);
      log.warn({ err: describeError(error), attempt, delay, events: batch.length }, 'atomic handler failed; retrying');
      this.#stats.retried++;
      attempt++;
      if (!(await pause(delay, signal, hooks.keepAlive))) return 'aborted';
    }
  }

  /** Commits a plan without effects or WATCHes (only acknowledgements and dead letters), retrying until it is applied. */
  async #commitUntilDone<E>(
    steps: AtomicSteps<E>,
    plan: AtomicCommitPlan<E>,
    hooks: ProcessHooks,
  ): Promise<ProcessResult> {
    const { signal, log, retry } = this.#options;
    for (let failures = 1; ; failures++) {
      if (signal.aborted) return 'aborted';
      try {
        if ((await steps.commit(plan)) === 'committed') return 'done';
      } catch (err) {
        log.error({ err: describeError(err) }, 'could not commit the acknowledgement and dead letters; retrying');
      }
      if (!(await pause(backoffDelay(retry, failures), signal, hooks.keepAlive))) return 'aborted';
    }
  }

  /** One CONSUMER span per handled envelope (every attempt in it), parented to the trace the envelope carries. */
  async #handle(message: RawMessage, event: Envelope, hooks: ProcessHooks): Promise<ProcessResult> {
    const span = startConsumerSpan(`process ${message.topic}`, event, this.#spanAttributes(message.topic));
    try {
      return await withSpan(span, () => this.#handleInSpan(message, event, hooks));
    } finally {
      span.end();
    }
  }

  #attributes: { topic: string; value: Record<string, string> } | undefined;
  /** The consumer span's own attributes, made once per topic (not per event). */
  #spanAttributes(topic: string): Record<string, string> {
    if (this.#attributes?.topic !== topic) {
      const value = { 'messaging.destination.name': topic, 'messaging.consumer.group.name': this.#options.group };
      this.#attributes = { topic, value };
    }
    return this.#attributes.value;
  }

  async #handleInSpan(message: RawMessage, event: Envelope, hooks: ProcessHooks): Promise<ProcessResult> {
    const { retry, signal } = this.#options;
    const handler = this.#options.handler;
    if (!handler) throw new TypeError('process needs the handler option (this subscription handles batches)');
    // The per-event child logger is made only when something logs: building it for every event cost a cold view
    // more than its projection (bench/ANALYSIS.md).
    let child: Logger | undefined;
    const eventLog = () =>
      (child ??= this.#options.log.child({
        eventId: event.id,
        type: event.type,
        correlationId: event.metadata.correlationId,
      }));
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return 'aborted';
      const ctx: HandlerContext = {
        topic: message.topic,
        position: message.position,
        attempt,
        signal,
        get log() {
          return eventLog();
        },
      };
      let outcome: Outcome;
      let error: unknown;
      try {
        outcome = (await handler(event, ctx)) ?? { kind: 'ack' };
      } catch (err) {
        error = err;
        outcome = { kind: 'retry', reason: describeError(err).message };
      }
      switch (outcome.kind) {
        case 'ack':
          this.#stats.acked++;
          this.#stats.handled++;
          return 'done';
        case 'skip':
          eventLog().debug({ reason: outcome.reason }, 'skipped');
          this.#stats.skipped++;
          this.#stats.handled++;
          return 'done';
        case 'dead-letter':
          return this.#deadLetterByHandler(
            message,
            event,
            { cause: 'handler', reason: outcome.reason, attempts: attempt },
            hooks,
          );
        case 'retry': {
          if (error !== undefined && !isRetriableError(error)) {
            eventLog().error(
              { err: describeError(error), attempt },
              'handler failed with an error that is never retried',
            );
            return this.#deadLetterByHandler(
              message,
              event,
              { cause: 'not-retriable', reason: outcome.reason, error, attempts: attempt },
              hooks,
            );
          }
          if (attempt >= retry.maxAttempts) {
            eventLog().error(
              { err: error === undefined ? undefined : describeError(error), attempt },
              'handler retries exhausted',
            );
            const reason = `gave up after ${attempt} attempts: ${outcome.reason}`;
            return this.#deadLetterByHandler(
              message,
              event,
              { cause: 'retries-exhausted', reason, error, attempts: attempt },
              hooks,
            );
          }
          const delay = backoffDelay(retry, attempt);
          eventLog().warn(
            { err: error === undefined ? undefined : describeError(error), attempt, delay },
            'handler failed; retrying',
          );
          this.#stats.retried++;
          if (!(await pause(delay, signal, hooks.keepAlive))) return 'aborted';
          break;
        }
        default:
          return this.#deadLetterByHandler(
            message,
            event,
            {
              cause: 'handler',
              reason: `handler returned an invalid outcome: ${JSON.stringify(outcome)}`,
              attempts: attempt,
            },
            hooks,
          );
      }
    }
  }

  async #deadLetterByHandler(
    message: RawMessage,
    event: Envelope,
    what: { cause: DeadLetterCause; reason: string; error?: unknown; attempts: number },
    hooks: ProcessHooks,
  ): Promise<ProcessResult> {
    const result = await this.#deadLetter(message, { ...what, event }, hooks);
    if (result === 'done') {
      this.#stats.deadLettered++;
      this.#stats.handled++;
    }
    return result;
  }

  /**
   * Writes the dead-letter record unless the dead-letter topic already holds it (same id: another group's record
   * of this poison message, or this group's before a replay), retrying (with backoff) until it is durable or the
   * subscription closes.
   */
  async #deadLetter(
    message: RawMessage,
    what: { cause: DeadLetterCause; reason: string; error?: unknown; attempts: number; event?: Envelope | undefined },
    hooks: ProcessHooks,
  ): Promise<ProcessResult> {
    const { deadLetters, group, log, signal, retry } = this.#options;
    const record = deadLetterEnvelope({ message, group, ...what, maxBytes: this.#options.maxEventBytes });
    const dlq = deadLetterTopic(message.topic);
    for (let failures = 1; ; failures++) {
      try {
        const written = await withKeepAlive(deadLetters.write(dlq, record), hooks.keepAlive);
        const fields = {
          topic: message.topic,
          position: message.position,
          dlq,
          cause: what.cause,
          reason: what.reason,
        };
        if (written === 'duplicate') {
          this.#stats.alreadyDeadLettered++;
          log.debug({ ...fields, id: record.id }, 'already dead-lettered; not written again');
        } else log.warn(fields, 'dead-lettered');
        return 'done';
      } catch (err) {
        log.error({ err: describeError(err), dlq }, 'could not write the dead-letter record; retrying');
        if (signal.aborted) return 'aborted';
        if (!(await pause(backoffDelay(retry, failures), signal, hooks.keepAlive))) return 'aborted';
      }
    }
  }
}

const isDeadLetterTopic = (topic: string): boolean => topic.endsWith('.dlq');

/** Awaits `work`, calling `keepAlive` every second meanwhile (a dead-letter write may first read the dlq). */
async function withKeepAlive<T>(work: Promise<T>, keepAlive?: () => Promise<void>): Promise<T> {
  if (!keepAlive) return work;
  const timer = setInterval(() => void keepAlive().catch(() => undefined), KEEP_ALIVE_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** Waits `ms` in slices, calling `keepAlive` between them; false when `signal` aborted first. */
async function pause(ms: number, signal: AbortSignal, keepAlive?: () => Promise<void>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return true;
    if (!(await sleep(Math.min(left, KEEP_ALIVE_EVERY_MS), signal))) return false;
    if (keepAlive) await keepAlive().catch(() => undefined);
  }
}
