import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, newEvent, type BusOptions, type Envelope } from '../../../eventlib/index.js';
import { infra } from '../../setup/infra.js';
import { uniqueName, waitFor } from '../../helpers/wait.js';

const { kafkaBrokers, redisUrl } = infra();

/**
 * The trace context survives the real brokers (issue 16, point 2): `traceparent` rides in the envelope's metadata
 * (the Kafka message value, the Redis entry's field), and the consumer's span is the producer span's child.
 */
describe('traceparent through Kafka and Redis', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const cases: [string, () => BusOptions][] = [
    ['kafka', () => ({ kind: 'kafka', brokers: kafkaBrokers, partitions: 1 })],
    ['redis', () => ({ kind: 'redis', url: redisUrl })],
  ];
  it.each(cases)('%s: the consumer span continues the producer span', async (kind, options) => {
    const bus = await createEventBus(options());
    try {
      const topic = uniqueName(`traced-${kind}`);
      await bus.ensureTopic(topic, { partitions: 1 });
      const root = trace.getTracer('test').startSpan('request');
      const event = newEvent({ type: 'thing-happened', key: 'k', data: { n: 1 } });
      await context.with(trace.setSpan(context.active(), root), () => bus.publish(topic, [event]));
      root.end();
      const received: Envelope[] = [];
      const sub = await bus.subscribe({
        topics: [topic],
        group: uniqueName('traced'),
        handler: (e) => void received.push(e),
      });
      try {
        await waitFor(() => received.length === 1, { what: `the event back from ${kind}` });
      } finally {
        await sub.close();
      }
      const traceId = root.spanContext().traceId;
      const producer = exporter
        .getFinishedSpans()
        .find((s) => s.kind === SpanKind.PRODUCER && s.name === `publish ${topic}`)!;
      expect(producer.spanContext().traceId).toBe(traceId);
      expect(producer.attributes['messaging.system']).toBe(kind);
      expect(received[0]!.metadata.traceparent).toBe(`00-${traceId}-${producer.spanContext().spanId}-01`);
      const consumer = exporter
        .getFinishedSpans()
        .find((s) => s.kind === SpanKind.CONSUMER && s.name === `process ${topic}`)!;
      expect(consumer.spanContext().traceId).toBe(traceId);
      expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    } finally {
      await bus.close();
    }
  });
});
