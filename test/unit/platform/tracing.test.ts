import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibraryApp, type LibraryApp } from '../library/libraryApp.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * Issue 16, point 2: one trace from `POST /lending/requests` on the gateway, through the lending service, the
 * command topic (`traceparent` in the envelope's metadata) and the worker's decision, to the consumers of the
 * events it appended. The SDK is registered in-process with an in-memory exporter, as `startTelemetry` would.
 */
describe('OpenTelemetry traces across HTTP and the bus', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let lib: LibraryApp;
  let requestId = '';

  beforeAll(async () => {
    provider.register();
    lib = await startLibraryApp();
    const res = await lib.app.inject({
      method: 'POST',
      url: '/lending/requests?wait=true',
      payload: { user: 'traced-user', books: ['traced-book'] },
    });
    expect(res.statusCode).toBe(200);
    requestId = res.json<{ requestId: string }>().requestId;
  });
  afterAll(async () => {
    await lib?.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const spans = () => exporter.getFinishedSpans();
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  const find = (kind: SpanKind, name: string | RegExp, where: (s: ReadableSpan) => boolean = () => true) =>
    spans().find(
      (s) => s.kind === kind && (typeof name === 'string' ? s.name === name : name.test(s.name)) && where(s),
    );

  it('links gateway -> lending service -> command topic -> decision -> event consumers in one trace', async () => {
    const gateway = find(SpanKind.SERVER, 'POST /lending/requests', (s) => s.parentSpanContext === undefined);
    expect(gateway, 'the gateway server span (a root: the caller sent no traceparent)').toBeDefined();
    const traceId = gateway!.spanContext().traceId;
    const inTrace = (s: ReadableSpan) => s.spanContext().traceId === traceId;

    const client = find(
      SpanKind.CLIENT,
      'POST lending',
      (s) => inTrace(s) && parentOf(s) === gateway!.spanContext().spanId,
    );
    expect(client, 'the gateway calls the lending service').toBeDefined();
    const service = find(SpanKind.SERVER, /^POST /, (s) => parentOf(s) === client!.spanContext().spanId);
    expect(service, 'the lending service continues the traceparent it was sent').toBeDefined();
    const publish = find(
      SpanKind.PRODUCER,
      'publish lending-commands',
      (s) => parentOf(s) === service!.spanContext().spanId,
    );
    expect(publish, 'the command is published inside the request').toBeDefined();
    expect(publish!.attributes['messaging.destination.name']).toBe('lending-commands');

    // The worker's decision is a span of the command's trace, parented to the span that published it.
    await waitFor(() => find(SpanKind.CONSUMER, /^decide /, inTrace) !== undefined, { what: 'the decision span' });
    const decision = find(SpanKind.CONSUMER, /^decide /, inTrace)!;
    expect(parentOf(decision)).toBe(publish!.spanContext().spanId);
    expect(decision.attributes['bookshelf.decider']).toBeDefined();

    // The batch that decided it is a trace of its own that links to the command.
    const batch = find(SpanKind.CONSUMER, 'process lending-commands', (s) =>
      s.links.some((l) => l.context.spanId === publish!.spanContext().spanId),
    );
    expect(batch, 'the decider batch links to the command').toBeDefined();

    // The events it appended carry the decision's trace on: their consumers (the state fold, views) are its children.
    await waitFor(
      () =>
        find(SpanKind.CONSUMER, 'process lending-events', (s) => parentOf(s) === decision.spanContext().spanId) !==
        undefined,
      { what: 'a consumer of the outcome events in the trace' },
    );
    const appended = find(SpanKind.PRODUCER, 'publish lending-events', (s) =>
      s.links.some((l) => l.context.spanId === decision.spanContext().spanId),
    );
    expect(appended, 'the append links to each decision it carries').toBeDefined();

    // And the gateway's ?wait=true polls of the outcome are in the trace too.
    expect(spans().filter((s) => inTrace(s) && s.kind === SpanKind.CLIENT).length).toBeGreaterThanOrEqual(2);
  });

  it('carries traceparent in the envelope metadata on the command topic', async () => {
    const gateway = find(SpanKind.SERVER, 'POST /lending/requests', (s) => s.parentSpanContext === undefined)!;
    const commands: { traceparent?: unknown; data: unknown }[] = [];
    const sub = await lib.deps.bus.subscribe({
      topics: ['lending-commands'],
      group: `tracing-reader-${Date.now()}`,
      handler: (e) => void commands.push({ traceparent: e.metadata.traceparent, data: e.data }),
    });
    try {
      await waitFor(() => commands.some((c) => JSON.stringify(c.data).includes(requestId)), { what: 'the command' });
    } finally {
      await sub.close();
    }
    const command = commands.find((c) => JSON.stringify(c.data).includes(requestId))!;
    expect(command.traceparent).toMatch(new RegExp(`^00-${gateway.spanContext().traceId}-[0-9a-f]{16}-01$`));
  });

  it('continues a caller-sent traceparent and does not trace the probes', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await lib.app.inject({
      method: 'GET',
      url: '/lending/users/traced-user',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.statusCode).toBe(200);
    const server = find(SpanKind.SERVER, 'GET /lending/users/:user', (s) => s.spanContext().traceId === traceId);
    expect(server).toBeDefined();
    expect(parentOf(server!)).toBe('00f067aa0ba902b7');
    await lib.app.inject({ method: 'GET', url: '/health' });
    expect(spans().some((s) => s.name.includes('/health'))).toBe(false);
  });
});
