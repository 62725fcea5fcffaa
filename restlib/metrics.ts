import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry, type RegistryContentType } from 'prom-client';

/**
 * Prometheus metrics. One registry per process (`metricsRegistry()`): every service of the process serves all of
 * it at `GET /metrics`, so `bookshelf start` and `up` have one combined endpoint on every port, and the series
 * carry a `service` label. Node's own metrics (event loop lag, heap, GC) are included.
 */
let processRegistry: Registry | undefined;

export function metricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** HTTP request duration, by service, method, route (the route's pattern, not the URL) and status. */
function httpHistogram(
  registry: Registry<RegistryContentType>,
): Histogram<'service' | 'method' | 'route' | 'status_code'> {
  const name = 'http_request_duration_seconds';
  return (
    (registry.getSingleMetric(name) as Histogram<'service' | 'method' | 'route' | 'status_code'> | undefined) ??
    new Histogram({
      name,
      help: 'HTTP request duration by service, method, route and status code',
      labelNames: ['service', 'method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    })
  );
}

const NOT_TIMED = /^\/(health|ready|metrics)(\?|$)/;

export const metricsPlugin = fp<{ service: string; registry: Registry<RegistryContentType> }>(
  async (app, { service, registry }) => {
    const http = httpHistogram(registry);
    app.addHook('onResponse', async (req, reply) => {
      if (NOT_TIMED.test(req.url)) return;
      http
        .labels(service, req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
        .observe(reply.elapsedTime / 1000);
    });
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'restlib-metrics' },
);
