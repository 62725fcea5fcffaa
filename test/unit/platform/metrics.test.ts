import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibraryApp, type LibraryApp } from '../library/libraryApp.js';

/**
 * Issue 16, point 1: `GET /metrics` on every service (one registry per process, so one combined endpoint in
 * `bookshelf start` and `up`): HTTP durations by route and status, per subscription, publish latency, the
 * decider's commands and batches, and what the gateway sees.
 */
describe('GET /metrics (Prometheus text)', () => {
  let lib: LibraryApp;
  let text = '';
  beforeAll(async () => {
    lib = await startLibraryApp();
    const res = await lib.app.inject({
      method: 'POST',
      url: '/lending/requests?wait=true',
      payload: { user: 'metrics-user', books: ['metrics-book'] },
    });
    expect(res.statusCode).toBe(200);
    await lib.app.inject({ method: 'GET', url: '/lending/users/metrics-user' });
    const metrics = await lib.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    text = metrics.body;
  });
  afterAll(() => lib?.close());

  const series = (name: string) => text.split('\n').filter((l) => l.startsWith(name));

  it('times HTTP requests by service, method, route pattern and status (not the probes)', () => {
    const lines = series('http_request_duration_seconds_count');
    expect(
      lines.some((l) => /service="gateway".*method="POST".*route="\/lending\/requests".*status_code="200"/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => /route="\/lending\/users\/:user"/.test(l))).toBe(true);
    expect(lines.some((l) => /route="\/(health|ready|metrics)"/.test(l))).toBe(false);
  });

  it('reports every subscription (lag, caught-up, handled) and publish latency per topic', () => {
    expect(series('bookshelf_subscription_caught_up{').length).toBeGreaterThan(2);
    expect(series('bookshelf_subscription_lag{').length).toBeGreaterThan(2);
    expect(series('bookshelf_subscription_handled_events{').some((l) => !l.endsWith(' 0'))).toBe(true);
    expect(series('bookshelf_publish_seconds_count{topic="lending-commands"}')).toHaveLength(1);
  });

  it("reports the decider's commands and batches, the gateway's upstreams and Node's own metrics", () => {
    expect(series('bookshelf_decider_commands_decided{').some((l) => / [1-9]\d*$/.test(l))).toBe(true);
    expect(series('bookshelf_decider_batch_size_count{').length).toBeGreaterThan(0);
    expect(series('bookshelf_gateway_upstream_instances{service="lending"}')).toHaveLength(1);
    expect(series('nodejs_eventloop_lag_seconds').length).toBeGreaterThan(0);
  });
});
