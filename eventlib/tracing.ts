import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { Envelope, EventMetadata } from './envelope.js';

/**
 * OpenTelemetry for the bus (SPEC §9): W3C trace context travels in the envelope's metadata (`traceparent`,
 * `tracestate`), so it survives every adapter as it is (the envelope is the message value on Kafka, a field on
 * Redis, a record in memory). Only `@opentelemetry/api` is used: with no SDK registered (the default) spans are
 * no-ops, the propagator injects nothing and envelopes are published unchanged.
 */
const tracer = trace.getTracer('bookshelf/eventlib');

/** The metadata keys of the W3C trace context. */
export const TRACE_FIELDS = ['traceparent', 'tracestate'] as const;

const metadataGetter: TextMapGetter<EventMetadata> = {
  keys: (carrier) => TRACE_FIELDS.filter((k) => typeof carrier[k] === 'string'),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/** The trace context an envelope carries (the root context when it carries none). */
export function envelopeContext(event: Pick<Envelope, 'metadata'>): Context {
  return propagation.extract(ROOT_CONTEXT, event.metadata, metadataGetter);
}

/** The `traceparent`/`tracestate` of `ctx` (empty when no SDK is registered or no span is active). */
export function traceFields(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The `traceparent`/`tracestate` that make a message a child of `span`. */
export function spanTraceFields(span: Span): Record<string, string> {
  return traceFields(trace.setSpan(ROOT_CONTEXT, span));
}

/** `events` whose metadata lacks a trace context get `fields`; the same array when there is nothing to add. */
export function withTraceFields(events: readonly Envelope[], fields: Record<string, string>): readonly Envelope[] {
  if (fields.traceparent === undefined) return events;
  return events.map((e) =>
    e.metadata.traceparent === undefined ? { ...e, metadata: { ...e.metadata, ...fields } } : e,
  );
}

/**
 * Publishes inside a PRODUCER span (child of the active context). Envelopes without a trace context are stamped
 * with the span's, so their consumers continue this trace; envelopes that carry one (a decider's outcomes, each
 * created in its command's trace) keep it, and the span links to them.
 */
export async function tracePublish<T>(
  system: string,
  topic: string,
  events: readonly Envelope[],
  send: (events: readonly Envelope[]) => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  for (const e of events) {
    if (e.metadata.traceparent === undefined) continue;
    const carried = trace.getSpanContext(envelopeContext(e));
    if (carried) links.push({ context: carried });
  }
  const span = tracer.startSpan(`publish ${topic}`, {
    kind: SpanKind.PRODUCER,
    links,
    attributes: {
      'messaging.system': system,
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'messaging.batch.message_count': events.length,
    },
  });
  try {
    return await send(withTraceFields(events, traceFields(trace.setSpan(context.active(), span))));
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Starts the CONSUMER span of one envelope, parented to the context it carries. The attributes are set only on a
 * recording span: with tracing off this is the hot path of every consumer, and allocates nothing more.
 */
export function startConsumerSpan(
  name: string,
  event: Envelope,
  attributes: Record<string, string | number>,
  parent: Context = envelopeContext(event),
): Span {
  const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER }, parent);
  if (!span.isRecording()) return span;
  span.setAttributes({
    'messaging.operation.type': 'process',
    'messaging.message.id': event.id,
    'bookshelf.event.type': event.type,
    ...(event.metadata.correlationId ? { 'bookshelf.correlation_id': event.metadata.correlationId } : {}),
    ...attributes,
  });
  return span;
}

/** Starts the CONSUMER span of a batch: a new trace that links to the trace of every envelope in it. */
export function startBatchSpan(topic: string, events: readonly Envelope[]): Span {
  const links: Link[] = [];
  for (const e of events) {
    const carried = trace.getSpanContext(envelopeContext(e));
    if (carried) links.push({ context: carried });
  }
  return tracer.startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': events.length,
      },
    },
    ROOT_CONTEXT,
  );
}

/** Runs `fn` with `span` as the active span (so what it publishes is that span's child). */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Marks `span` failed with `err`. */
export function recordError(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}
