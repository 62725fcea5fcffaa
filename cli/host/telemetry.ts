import type { Logger } from 'pino';
import { bookshelfVersion } from './version.js';

/**
 * OpenTelemetry traces (SPEC §9), off by default. The libraries use `@opentelemetry/api` only; this composition
 * root starts the SDK when the standard environment asks for it:
 * - on when `OTEL_TRACES_EXPORTER` (other than `none`), `OTEL_EXPORTER_OTLP_ENDPOINT`,
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_SERVICE_NAME` is set, unless `OTEL_SDK_DISABLED=true`;
 * - exporters: `otlp` (the default; OTLP over HTTP/JSON, endpoint and headers from `OTEL_EXPORTER_OTLP_*`) and
 *   `console`; `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_PROPAGATORS` are read by
 *   the SDK as usual.
 * With none of these set nothing is loaded: spans are the API's no-ops and no `traceparent` is added.
 */
export interface Telemetry {
  /** Exports what is buffered and stops. Idempotent. */
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** Whether the environment turns tracing on (see `Telemetry`). */
export function tracingWanted(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = exportersOf(env);
  if (set(env.OTEL_TRACES_EXPORTER)) return exporters.length > 0;
  return (
    set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || set(env.OTEL_SERVICE_NAME)
  );
}

/** `OTEL_TRACES_EXPORTER` as a list (default `otlp`), `none` removed. Unknown names are an error. */
export function exportersOf(env: Env): ('otlp' | 'console')[] {
  const names = (set(env.OTEL_TRACES_EXPORTER) ? env.OTEL_TRACES_EXPORTER : 'otlp')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '' && n !== 'none');
  for (const n of names) {
    if (n !== 'otlp' && n !== 'console')
      throw new Error(`OTEL_TRACES_EXPORTER: unsupported exporter ${n} (use otlp, console or none)`);
  }
  return [...new Set(names)] as ('otlp' | 'console')[];
}

let running: Telemetry | undefined;

/**
 * Starts the trace SDK once per process when `env` asks for it (before any service starts), with `service` as the
 * default `service.name`. Returns undefined when tracing stays off. `env` decides whether (tests pass their own);
 * the SDK and the OTLP exporter read their settings (endpoint, headers, sampler, batching) from `process.env`.
 * An unreachable collector delays the shutdown by at most the exporter's timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`,
 * 10 s), within the host's grace.
 */
export async function startTelemetry(
  service: string,
  log: Logger,
  env: Env = process.env,
): Promise<Telemetry | undefined> {
  if (running) return running;
  if (!tracingWanted(env)) return undefined;
  const exporters = exportersOf(env);
  const [{ NodeTracerProvider, BatchSpanProcessor, ConsoleSpanExporter }, resources, semconv] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const processors = await Promise.all(
    exporters.map(async (name) => {
      if (name === 'console') return new BatchSpanProcessor(new ConsoleSpanExporter());
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return new BatchSpanProcessor(new OTLPTraceExporter());
    }),
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the defaults.
  const resource = resources
    .resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: service,
      [semconv.ATTR_SERVICE_VERSION]: bookshelfVersion(),
    })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  log.info(
    { exporters, endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT },
    'OpenTelemetry tracing on',
  );
  let stopping: Promise<void> | undefined;
  const telemetry: Telemetry = {
    shutdown: () =>
      (stopping ??= provider.shutdown().catch((err: unknown) => {
        log.warn({ err }, 'flushing the last spans failed');
      })),
  };
  running = telemetry;
  return telemetry;
}

/** Flushes and stops the SDK started by `startTelemetry`, if any (a step of the ordered shutdown). */
export async function stopTelemetry(): Promise<void> {
  await running?.shutdown();
}
