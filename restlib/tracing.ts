import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * OpenTelemetry for HTTP (SPEC §9), through `@opentelemetry/api` only: a SERVER span per request, parented to the
 * caller's W3C `traceparent`, active while the route's handler runs (so what it publishes or calls is its child);
 * a CLIENT span per upstream attempt of `ServiceClient`, whose context goes out in `traceparent`. With no SDK
 * registered (the default) the spans are no-ops and no header is added.
 */
const tracer = trace.getTracer('bookshelf/restlib');

/** Probes are not traced: Consul asks every few seconds. */
const NOT_TRACED = /^\/(health|ready|metrics)(\?|$)/;

const spans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();

export const tracingPlugin = fp<{ service: string }>(
  async (app, { service }) => {
    app.addHook('onRequest', async (req) => {
      if (NOT_TRACED.test(req.url)) return;
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const route = req.routeOptions.url;
      const span = tracer.startSpan(
        route ? `${req.method} ${route}` : req.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': req.method,
            'url.path': req.url.split('?')[0] ?? req.url,
            'bookshelf.service': service,
            ...(route ? { 'http.route': route } : {}),
          },
        },
        parent,
      );
      spans.set(req, { span, ctx: trace.setSpan(parent, span) });
    });
    // The handler runs in the span's context: hooks before it may run where the body's stream events ran.
    app.addHook('onRoute', (route) => {
      const handler = route.handler;
      route.handler = function traced(this: unknown, req, reply) {
        const entry = spans.get(req);
        return entry
          ? context.with(entry.ctx, () => handler.call(this as never, req, reply))
          : handler.call(this as never, req, reply);
      };
    });
    app.addHook('onError', async (req, _reply, err) => {
      const entry = spans.get(req);
      if (entry) entry.span.recordException(err);
    });
    const end = (req: FastifyRequest, status?: number) => {
      const entry = spans.get(req);
      if (!entry) return;
      spans.delete(req);
      if (status !== undefined) {
        entry.span.setAttribute('http.response.status_code', status);
        if (status >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
      } else entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' });
      entry.span.end();
    };
    app.addHook('onResponse', async (req, reply) => end(req, reply.statusCode));
    app.addHook('onRequestAbort', async (req) => end(req));
  },
  { name: 'restlib-tracing' },
);

/**
 * Runs one upstream attempt inside a CLIENT span (child of the active context) and adds its `traceparent` to
 * `headers`. `statusOf` tells the answer's status (undefined: the attempt failed).
 */
export async function traceClientAttempt<T>(
  request: { method: string; service: string; url: string },
  headers: Record<string, string>,
  run: () => Promise<T>,
  statusOf: (result: T) => { status?: number; error?: unknown },
): Promise<T> {
  const span = tracer.startSpan(`${request.method} ${request.service}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': request.method, 'url.full': request.url, 'peer.service': request.service },
  });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  try {
    const result = await run();
    const { status, error } = statusOf(result);
    if (status !== undefined) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (error !== undefined) failed(span, error);
    return result;
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

function failed(span: Span, err: unknown): void {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : 'request failed';
  span.recordException(err instanceof Error ? err : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
