/**
 * A consumer in its own process, for the contract suite's "killed without closing" test. Configured by the
 * EVENTLIB_CHILD environment variable (JSON: { bus, topic, group, stuckAfter, replay? }). Prints one JSON line per
 * event it handled and `{"stuck": id}` when it reaches event number `stuckAfter + 1`, on which it hangs until killed.
 */
import { createEventBus, type BusOptions } from '../index.js';

interface ChildConfig {
  bus: BusOptions;
  topic: string;
  group: string;
  stuckAfter: number;
  /** Subscribe with `replay: true` (a read model that rebuilds at every start). */
  replay?: boolean;
}

const config = JSON.parse(process.env.EVENTLIB_CHILD ?? '{}') as ChildConfig;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

// Stay alive until killed, even when the bus holds no sockets (memory).
setInterval(() => undefined, 1 << 30);

const bus = await createEventBus(config.bus);
let handled = 0;
await bus.subscribe({
  topics: [config.topic],
  group: config.group,
  replay: config.replay ?? false,
  handler: async (event) => {
    if (handled >= config.stuckAfter) {
      say({ stuck: event.id });
      await new Promise(() => undefined);
    }
    handled++;
    say({ handled: event.id });
  },
});
say({ ready: true });
