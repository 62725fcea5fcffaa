import { pino } from 'pino';
import { validateBusOptions, type BusOptions } from './options.js';
import type { EventBus } from './port.js';

export {
  EnvelopeSchema,
  MetadataSchema,
  EVENT_TYPE_PATTERN,
  newEvent,
  parseEnvelope,
  encodeEnvelope,
} from './envelope.js';
export type { Envelope, EventMetadata, NewEventInput } from './envelope.js';
export { createEventRegistry } from './registry.js';
export type { EventRegistry, EventRegistryOptions, EventTypeDefinition, RegistryParseResult } from './registry.js';
export { decodeMessage, INGEST_PRODUCER } from './ingest.js';
export type { DecodeResult, IngestedEvent, IngestRule, IngestRules, RawMessage } from './ingest.js';
export { ack, skip, retry, deadLetter, deadLetterTopic } from './port.js';
export type {
  BatchContext,
  BatchHandler,
  EventBus,
  EventBusKind,
  Handler,
  HandlerContext,
  LogReset,
  Outcome,
  Position,
  Publisher,
  SubscribeOptions,
  Subscriber,
  Subscription,
  SubscriptionStats,
  TopicAdmin,
} from './port.js';
export { atomicSubscriber } from './atomic.js';
export type {
  AtomicAppend,
  AtomicContext,
  AtomicHandler,
  AtomicResult,
  AtomicSubscribeOptions,
  AtomicSubscriber,
  RedisCommand,
} from './atomic.js';
export { RetryPolicySchema, DEFAULT_RETRY_POLICY, backoffDelay, isRetriableError } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { EventLibError, EVT_ERROR_CODES, isEventLibError, isPoisonError } from './errors.js';
export type { EventLibErrorCode } from './errors.js';
export { DEAD_LETTER_TYPE, DeadLetterDataSchema } from './consumer/deadLetter.js';
export type { DeadLetterCause, DeadLetterData } from './consumer/deadLetter.js';
export {
  TRACE_FIELDS,
  envelopeContext,
  recordError,
  spanTraceFields,
  startConsumerSpan,
  traceFields,
  withSpan,
  withTraceFields,
} from './tracing.js';
export { AFTER_HEADER, POSITION_HEADER, decodePositions, encodePositions, positionWatermark } from './positionToken.js';
export { BusOptionsSchema, busOptionsFromUrl, validateBusOptions, redactUrl } from './options.js';
export type { BusOptions, KafkaBusOptions, MemoryBusOptions, RedisBusOptions, ValidBusOptions } from './options.js';
export type { MemoryEventBus, RawRecord } from './memory/memoryBus.js';

/**
 * Creates the event bus named by `options.kind` (validated with zod; EVT_ERR_INVALID_OPTIONS lists every problem).
 * The Kafka and Redis adapters, and their client libraries, are loaded only when asked for.
 */
export async function createEventBus(options: BusOptions): Promise<EventBus> {
  const valid = validateBusOptions(options);
  const log = (valid.logger ?? pino({ level: 'silent' })).child({ lib: 'eventlib', adapter: valid.kind });
  switch (valid.kind) {
    case 'memory': {
      const { MemoryEventBus } = await import('./memory/memoryBus.js');
      return MemoryEventBus.create(valid, log);
    }
    case 'kafka': {
      const { KafkaEventBus } = await import('./kafka/kafkaBus.js');
      return KafkaEventBus.create(valid, log);
    }
    case 'redis': {
      const { RedisEventBus } = await import('./redis/redisBus.js');
      return RedisEventBus.create(valid, log);
    }
  }
}
