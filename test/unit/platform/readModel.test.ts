import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createEventBus,
  createEventRegistry,
  EventLibError,
  newEvent,
  type EventBus,
} from '../../../eventlib/index.js';
import { startReadModel } from '../../../platform/index.js';
import { waitFor } from '../../helpers/wait.js';

const log = pino({ level: 'silent' });
const registry = () => createEventRegistry({ unknownTypes: 'pass' });

/** The memory bus, whose first `failures` subscribes fail with `error` (a broker that is not up yet). */
async function flakyBus(failures: number, error: () => Error): Promise<EventBus> {
  const bus = await createEventBus({ kind: 'memory' });
  let left = failures;
  return {
    kind: bus.kind,
    publish: (topic, events) => bus.publish(topic, events),
    ensureTopic: (name, o) => bus.ensureTopic(name, o),
    close: () => bus.close(),
    subscribe: (o) => (left-- > 0 ? Promise.reject(error()) : bus.subscribe(o)),
  };
}

describe('startReadModel', () => {
  it('returns at once, reports not ready while it cannot subscribe, retries, then rebuilds and serves', async () => {
    const bus = await flakyBus(2, () => new EventLibError('EVT_ERR_CONNECTION', 'broker not up yet'));
    await bus.publish('t', [newEvent({ type: 'book-added', key: 'k', data: { n: 1 } })]);
    const seen: number[] = [];
    const model = await startReadModel(bus, {
      topics: ['t'],
      group: 'g',
      registry: registry(),
      apply: (e) => seen.push((e.data as { n: number }).n) > 0,
      log,
    });
    expect(model.readiness().ready).toBe(false);
    // A read while it is not subscribed yet waits a little, then answers 503 problem (never stale data).
    await expect(model.catchUp(undefined, 10)).rejects.toMatchObject({ status: 503, code: 'REST_ERR_UNAVAILABLE' });
    await waitFor(() => model.readiness().ready, { what: 'the rebuild' });
    expect(seen).toEqual([1]);
    await expect(model.catchUp(undefined)).resolves.toBeUndefined();
    await model.stop();
    await bus.close();
  });

  it('fails for good on an error that is not retriable, so the host can stop the process', async () => {
    const bus = await flakyBus(1, () => new EventLibError('EVT_ERR_INVALID_OPTIONS', 'bad group name'));
    const model = await startReadModel(bus, {
      topics: ['t'],
      group: 'g',
      registry: registry(),
      apply: () => true,
      log,
    });
    await expect(model.failed).rejects.toThrow('bad group name');
    expect(model.readiness()).toMatchObject({ ready: false, checks: { lastError: 'bad group name' } });
    await model.stop();
    await bus.close();
  });
});
