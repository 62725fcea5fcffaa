import type { ServiceRegistry } from '../../discolib/index.js';
import type { RunningHost } from '../../cli/host/runHost.js';
import { waitFor } from './wait.js';

/**
 * Waits until every service of an in-process host answers /ready and is passing in the registry. A service opens
 * its port at once and subscribes in the background (SPEC §8), so a test that writes right after `runHost` would
 * meet a 503 on a loaded machine.
 */
export async function waitForHostReady(
  host: RunningHost,
  registry: ServiceRegistry,
  timeoutMs = 60_000,
): Promise<void> {
  for (const [name, url] of host.urls) {
    await waitFor(async () => (await fetch(`${url}/ready`)).status === 200, { timeoutMs, what: `${url}/ready` });
    await waitFor(async () => (await registry.discover({ name })).length > 0, {
      timeoutMs,
      what: `${name} passing in the registry`,
    });
  }
}
