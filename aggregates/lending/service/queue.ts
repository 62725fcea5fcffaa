import { randomUUID } from 'node:crypto';
import type { Envelope, EventBus, Position } from '../../../eventlib/index.js';
import {
  lendingCommand,
  validateLendingInput,
  validateRequestId,
  type LendingError,
  type LendingInput,
} from '../domain/index.js';
import { commandEnvelope, type LendingTopics } from '../wire.js';

/**
 * Creates the lending topics with ONE partition each (the consistency design on Kafka needs a total order of
 * commands and of events). Call it before anything publishes: a topic created implicitly by a publish gets the
 * bus's default partition count. Redis streams and the memory log ignore the count.
 */
export async function ensureLendingTopics(bus: EventBus, topics: LendingTopics): Promise<void> {
  for (const topic of [topics.commands, topics.events, topics.shelving]) {
    await bus.ensureTopic(topic, { partitions: 1 });
  }
}

export type QueueResult =
  | { readonly ok: true; readonly requestId: string; readonly events: Envelope[]; readonly positions: Position[] }
  | { readonly ok: false; readonly error: LendingError };

/**
 * Validates a request or return and appends it to `lending-commands`. Resolves once the command is durable (the
 * bus's publish contract); invalid input is rejected before anything is queued.
 */
export async function queueLending(
  bus: EventBus,
  topics: LendingTopics,
  kind: 'request' | 'return',
  input: unknown,
  opts: {
    producer: string;
    clock: () => Date;
    requestId?: string;
    correlationId?: string;
    /** Marks the command envelope (idempotency key) before it is published. */
    stamp?: (events: readonly Envelope[]) => Envelope[];
  },
): Promise<QueueResult> {
  const valid = validateLendingInput(input);
  if (!valid.ok) return valid;
  let requestId: string = randomUUID();
  if (opts.requestId !== undefined) {
    const id = validateRequestId(opts.requestId);
    if (!id.ok) return id;
    requestId = id.value;
  }
  const command = lendingCommand(kind, requestId, valid.value satisfies LendingInput);
  const envelope = commandEnvelope(command, {
    producer: opts.producer,
    clock: opts.clock,
    ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
  });
  const events = opts.stamp ? opts.stamp([envelope]) : [envelope];
  const positions = await bus.publish(topics.commands, events);
  return { ok: true, requestId, events, positions };
}
