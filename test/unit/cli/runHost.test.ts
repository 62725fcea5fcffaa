import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../discolib/index.js';
import { createEventBus } from '../../../eventlib/index.js';
import { runHost } from '../../../cli/host/runHost.js';
import type { PlatformDeps, ServiceComponent } from '../../../platform/index.js';
import { waitFor } from '../../helpers/wait.js';

describe('runHost', () => {
  it('stops every service and exits 1 when a component fails for good', async () => {
    const log = pino({ level: 'silent' });
    const deps: PlatformDeps = {
      bus: await createEventBus({ kind: 'memory' }),
      registry: createRegistry({ kind: 'memory' }, log),
      log,
      clock: () => new Date(),
    };
    let fail: (err: Error) => void = () => undefined;
    const stopped: string[] = [];
    const component = (name: string, failed?: Promise<never>): ServiceComponent => ({
      identity: { name, id: `${name}-1`, tags: [] },
      description: name,
      routes: () => undefined,
      readiness: () => ({ ready: true, checks: {} }),
      stop: async () => void stopped.push(name),
      ...(failed ? { failed } : {}),
    });
    const exits: number[] = [];
    const host = await runHost(
      [
        { component: component('a', new Promise<never>((_r, reject) => (fail = reject))), host: '127.0.0.1', port: 0 },
        { component: component('b'), host: '127.0.0.1', port: 0 },
      ],
      deps,
      { signals: false, exit: (code) => void exits.push(code) },
    );
    expect(host.urls.size).toBe(2);
    fail(new Error('the log was reset'));
    await waitFor(() => exits.length > 0, { what: 'the exit' });
    expect(exits).toEqual([1]);
    expect(stopped.sort()).toEqual(['a', 'b']);
  });
});
