import { startConsumerSpan, spanTraceFields, type Envelope } from '../eventlib/index.js';

/**
 * The decision on one command as a span of the command's trace (parented to the context its envelope carries);
 * returns the trace fields that make the events it appends children of that span (`withTraceFields`). Deciding is
 * pure and takes microseconds, so the span is ended at once: it marks the decision, the batch's append is the
 * PRODUCER span that links to it.
 */
export function traceDecision(command: Envelope, decider: string): Record<string, string> {
  const span = startConsumerSpan(`decide ${command.type}`, command, { 'bookshelf.decider': decider });
  const fields = spanTraceFields(span);
  span.end();
  return fields;
}
