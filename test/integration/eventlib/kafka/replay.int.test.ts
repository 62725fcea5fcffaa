import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, newEvent, type BusOptions, type Envelope, type EventBus } from '../../../../eventlib/index.js';
import { infra } from '../../../setup/infra.js';
import { uniqueName, waitFor } from '../../../helpers/wait.js';

const { kafkaBrokers } = infra();
const CHILD = fileURLToPath(new URL('../../../../eventlib/testing/childConsumer.ts', import.meta.url));
// consumer.sessionTimeout stays at its default (30 s): a dead member of a shared group would hold a joiner that long.
const options: BusOptions = { kind: 'kafka', brokers: kafkaBrokers, partitions: 2 };

let children: ChildProcess[] = [];
let buses: EventBus[] = [];
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children = [];
  await Promise.allSettled(buses.map((b) => b.close()));
  buses = [];
});

describe('kafka replay subscriptions', () => {
  it(
    'restart at once after their process was killed with SIGKILL (no wait for the dead member), and catch up',
    async () => {
      const bus = await createEventBus(options);
      buses.push(bus);
      const topic = uniqueName('kafka-replay');
      const group = uniqueName('view');
      await bus.ensureTopic(topic, { partitions: 2 });
      const events = Array.from({ length: 10 }, (_, i) => newEvent({ type: 'book-added', key: `k${i}`, data: { i } }));
      const positions = await bus.publish(topic, events);

      const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        env: {
          ...process.env,
          EVENTLIB_CHILD: JSON.stringify({ bus: options, topic, group, stuckAfter: 1_000, replay: true }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      const handled = new Set<string>();
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = JSON.parse(line) as { handled?: string };
        if (message.handled) handled.add(message.handled);
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The child is a settled member of its group once it handled the whole log.
      await waitFor(() => handled.size === events.length, { timeoutMs: 8_000, what: 'the child to replay the log' });
      child.kill('SIGKILL');
      await exited;

      const seen: Envelope[] = [];
      const sub = await bus.subscribe({ topics: [topic], group, replay: true, handler: (e) => void seen.push(e) });
      for (const p of positions) await sub.waitForPosition(p, 10_000);
      await sub.waitUntilCaughtUp(10_000);
      expect(new Set(seen.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
      expect(sub.group).toBe(group);
    },
    // Well below the 30 s session timeout a shared replay group would wait for.
    15_000,
  );
});
