import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../eventlib/index.js';
import { startLibraryApp, type LibraryApp } from '../library/libraryApp.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * Tracing is off by default (issue 16, point 2): no SDK is registered, the spans are the API's no-ops, and no
 * `traceparent` is added anywhere, even when a caller sends one.
 */
describe('with no OpenTelemetry SDK', () => {
  let lib: LibraryApp;
  beforeAll(async () => {
    lib = await startLibraryApp();
  });
  afterAll(() => lib?.close());

  it('adds no traceparent to envelopes, and requests work as before', async () => {
    expect(trace.getActiveSpan()).toBeUndefined();
    const res = await lib.app.inject({
      method: 'POST',
      url: '/lending/requests?wait=true',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      payload: { user: 'untraced-user', books: ['untraced-book'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.traceparent).toBeUndefined();
    const seen: Envelope[] = [];
    const sub = await lib.deps.bus.subscribe({
      topics: ['lending-commands', 'lending-events'],
      group: `untraced-reader-${Date.now()}`,
      handler: (e) => void seen.push(e),
    });
    try {
      await waitFor(() => seen.some((e) => e.type !== 'lending-requested'), { what: 'the outcome event' });
    } finally {
      await sub.close();
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const e of seen) {
      expect(e.metadata.traceparent).toBeUndefined();
      expect(e.metadata.tracestate).toBeUndefined();
    }
  });
});
