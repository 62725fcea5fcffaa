import type { Logger } from 'pino';
import type { ServiceRegistry, WatchHandle } from '../discolib/index.js';

/** How often a gateway still waiting for its upstreams says which ones it waits for. */
const WAITING_LOG_MS = 15_000;

export interface UpstreamGate {
  /** True once every upstream has had a passing instance at the same moment; it stays true (see `upstreamGate`). */
  isOpen(): boolean;
  /** The upstreams with no passing instance now, sorted; empty once the gate is open. */
  missing(): string[];
  /** Passing instances per upstream while the gate is closed (what the gate's watches last saw). */
  passing(): Record<string, number>;
  /** Resolves when the gate opens (never, if it is closed first). */
  readonly opened: Promise<void>;
  /** Stops the watches. Idempotent. */
  close(): void;
}

/**
 * The gateway's start-up gate (issue 21, point 10): it opens once every upstream the gateway routes to has a
 * passing instance in the registry, as the bookshelf seed's gateway waited for its four services. Before, the
 * gateway's `/ready` answered 200 while a co-located service's Consul check had not passed yet, and a write in
 * that window got 503 `REST_ERR_NO_INSTANCE`.
 *
 * It watches each upstream through discolib until the gate opens, then stops watching: once open it stays open.
 * An upstream that later loses its instances makes its own routes answer 503 problem+json (SPEC §5), but does not
 * take the gateway, and every other domain with it, out of discovery.
 */
export function upstreamGate(registry: ServiceRegistry, upstreams: readonly string[], log: Logger): UpstreamGate {
  const names = [...new Set(upstreams)].sort();
  const counts = new Map(names.map((n) => [n, 0]));
  const watches: WatchHandle[] = [];
  let open = false;
  let closed = false;
  let markOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  const missing = () => (open ? [] : names.filter((n) => (counts.get(n) ?? 0) === 0));
  const timer = setInterval(
    () => log.warn({ waitingFor: missing() }, `gateway not ready: no passing instance of ${missing().join(', ')}`),
    WAITING_LOG_MS,
  );
  timer.unref();

  const stop = () => {
    clearInterval(timer);
    for (const w of watches.splice(0)) w.close();
  };
  const check = () => {
    if (open || closed || missing().length > 0) return;
    open = true;
    stop();
    log.info({ upstreams: names }, 'every upstream has a passing instance: the gateway is ready');
    markOpen();
  };

  try {
    for (const name of names) {
      if (open) break;
      const handle = registry.watch(name, (instances) => {
        counts.set(name, instances.length);
        check();
      });
      if (open) handle.close();
      else watches.push(handle);
    }
  } catch (err) {
    stop();
    throw err;
  }
  check();

  return {
    isOpen: () => open,
    missing,
    passing: () => Object.fromEntries(counts),
    opened,
    close() {
      closed = true;
      stop();
    },
  };
}
