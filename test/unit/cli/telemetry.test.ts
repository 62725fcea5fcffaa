import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { exportersOf, startTelemetry, tracingWanted } from '../../../cli/host/telemetry.js';

describe('tracing from the standard OTEL_* environment (off by default)', () => {
  it('is off with no OTEL_* variable, and with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', async () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'gw', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(
      false,
    );
    expect(await startTelemetry('gateway', pino({ level: 'silent' }), {})).toBeUndefined();
  });

  it('is on with an exporter, an OTLP endpoint or a service name', () => {
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'bookshelf' })).toBe(true);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'bookshelf', OTEL_SDK_DISABLED: 'false' })).toBe(true);
  });

  it('reads OTEL_TRACES_EXPORTER as a list (otlp by default) and names an unsupported exporter', () => {
    expect(exportersOf({})).toEqual(['otlp']);
    expect(exportersOf({ OTEL_TRACES_EXPORTER: 'otlp, console' })).toEqual(['otlp', 'console']);
    expect(exportersOf({ OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
    expect(() => exportersOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/unsupported exporter zipkin/);
  });
});
