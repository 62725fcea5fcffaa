import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LoggerLike, ServiceRegistration, ServiceRegistry } from '../discolib/index.js';
import { markNotReady } from './readiness.js';

export type ShutdownHook = () => unknown;

/** What to register; `address` defaults to the listen host, `port` to the port actually bound. */
export type ServiceIdentity = Omit<ServiceRegistration, 'address' | 'port'> & { address?: string; port?: number };

export interface ServiceRunOptions {
  /** The app from `buildServer` (any fastify app works; readiness gating needs buildServer's). */
  app: FastifyInstance;
  host: string;
  /** 0 = any free port (the bound one is registered). */
  port: number;
  registry?: ServiceRegistry;
  registration?: ServiceIdentity;
  /** Caller steps of the ordered shutdown; each list runs in order, a failing hook is logged and skipped. */
  onShutdown?: {
    /** Stop consumers and drain in-flight handlers (after deregistering). */
    stopConsumers?: ShutdownHook[];
    /** Flush producers (after consumers stopped, so nothing new is produced). */
    flushProducers?: ShutdownHook[];
    /** Close what is left (bus connections, registry) after the HTTP server closed. */
    afterHttp?: ShutdownHook[];
  };
  /** Defaults to `app.log`. */
  logger?: LoggerLike;
}

export interface RunServiceOptions extends ServiceRunOptions {
  /** Signals that start the shutdown; default SIGINT and SIGTERM. A second one forces exit(1). */
  signals?: NodeJS.Signals[];
  /** Longest graceful shutdown before exit(1); default 10 s. */
  graceMs?: number;
  /** Called with the exit code when a signal-triggered shutdown ends; default `process.exit`. */
  exit?: (code: number) => void;
}

export interface StartedService {
  /** `http://host:port` as bound. */
  url: string;
  host: string;
  port: number;
  /** The registration made, if any. */
  registration: ServiceRegistration | undefined;
}

export type ShutdownStep =
  'not-ready' | 'deregister' | 'stop-consumers' | 'flush-producers' | 'close-http' | 'after-http' | 'flush-logs';

export interface ShutdownReport {
  ok: boolean;
  /** Steps in the order they ran, with the error of those that failed. */
  steps: { step: ShutdownStep; ok: boolean; error?: string }[];
}

export interface ServiceLifecycle {
  /** Listens, then registers. Idempotent (concurrent calls share one promise). */
  start(): Promise<StartedService>;
  /**
   * The ordered shutdown: mark not ready -> deregister -> stop consumers -> flush producers -> close HTTP ->
   * after-HTTP hooks -> flush logs. Idempotent; waits for a start in progress first.
   */
  stop(reason?: string): Promise<ShutdownReport>;
}

const hooks = z
  .array(z.custom<ShutdownHook>((v) => typeof v === 'function', { message: 'must be a function' }))
  .default([]);
const optionsSchema = z
  .object({
    app: z.custom<FastifyInstance>((v) => typeof (v as FastifyInstance | undefined)?.listen === 'function', {
      message: 'must be a fastify app',
    }),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    registry: z
      .custom<ServiceRegistry>((v) => typeof (v as ServiceRegistry | undefined)?.register === 'function')
      .optional(),
    registration: z.custom<ServiceIdentity>((v) => typeof v === 'object' && v !== null).optional(),
    onShutdown: z
      .object({ stopConsumers: hooks, flushProducers: hooks, afterHttp: hooks })
      .strict()
      .default({ stopConsumers: [], flushProducers: [], afterHttp: [] }),
    logger: z.custom<LoggerLike>((v) => typeof (v as LoggerLike | undefined)?.child === 'function').optional(),
    signals: z.array(z.string()).default(['SIGINT', 'SIGTERM']),
    graceMs: z.number().int().positive().default(10_000),
    exit: z.custom<(code: number) => void>((v) => typeof v === 'function').optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if ((o.registry === undefined) !== (o.registration === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'registry and registration go together: give both or neither' });
    }
    const wildcard = ['0.0.0.0', '::', '[::]'].includes(o.host);
    if (o.registration && wildcard && !o.registration.address) {
      ctx.addIssue({
        code: 'custom',
        path: ['registration', 'address'],
        message: `is required when listening on ${o.host}`,
      });
    }
  });

function parse(options: RunServiceOptions) {
  const r = optionsSchema.safeParse(options);
  if (r.success) return Object.freeze(r.data);
  const issue = r.error.issues[0]!;
  throw new TypeError(`runService: ${issue.path.length ? `${issue.path.join('.')} ` : ''}${issue.message}`);
}

/** Start and ordered stop of one HTTP service, without touching process signals. */
export function createServiceLifecycle(options: ServiceRunOptions): ServiceLifecycle {
  const opts = parse(options);
  const log = (opts.logger ?? opts.app.log).child({
    lib: 'restlib',
    lifecycle: opts.registration?.id ?? 'service',
  });
  let starting: Promise<StartedService> | undefined;
  let stopping: Promise<ShutdownReport> | undefined;
  let registered: ServiceRegistration | undefined;

  const start = async (): Promise<StartedService> => {
    if (stopping) throw new Error('the service is stopping; it cannot start again');
    await opts.app.listen({ host: opts.host, port: opts.port });
    const address = opts.app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    if (opts.registry && opts.registration) {
      const reg: ServiceRegistration = {
        ...opts.registration,
        address: opts.registration.address ?? opts.host,
        port: opts.registration.port ?? port,
      };
      try {
        await opts.registry.register(reg);
      } catch (err) {
        await opts.app.close().catch(() => undefined);
        throw err;
      }
      registered = reg;
    }
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    log.info({ port, registered: registered?.id }, 'service started');
    return { url: `http://${host}:${port}`, host: opts.host, port, registration: registered };
  };

  const stop = async (reason: string): Promise<ShutdownReport> => {
    await starting?.catch(() => undefined);
    log.info({ reason }, 'shutting down');
    const steps: ShutdownReport['steps'] = [];
    const step = async (name: ShutdownStep, fn: () => unknown) => {
      try {
        await fn();
        steps.push({ step: name, ok: true });
      } catch (err) {
        steps.push({ step: name, ok: false, error: (err as Error).message });
        log.error({ err, step: name }, 'shutdown step failed');
      }
    };
    const runAll = (list: ShutdownHook[]) => async () => {
      const failures: string[] = [];
      for (const hook of list) {
        try {
          await hook();
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
      if (failures.length) throw new Error(failures.join('; '));
    };
    await step('not-ready', () => markNotReady(opts.app));
    if (registered) {
      const id = registered.id;
      await step('deregister', () => opts.registry!.deregister(id));
    }
    await step('stop-consumers', runAll(opts.onShutdown.stopConsumers));
    await step('flush-producers', runAll(opts.onShutdown.flushProducers));
    await step('close-http', () => opts.app.close());
    await step('after-http', runAll(opts.onShutdown.afterHttp));
    const report = { ok: steps.every((s) => s.ok), steps };
    log.info({ ok: report.ok }, 'shut down');
    await step('flush-logs', () => flushLogs(log));
    return report;
  };

  return {
    start: () => (starting ??= start()),
    stop: (reason = 'stop requested') => (stopping ??= stop(reason)),
  };
}

function flushLogs(log: LoggerLike): Promise<void> {
  const flush = (log as { flush?: (cb: (err?: Error) => void) => void }).flush;
  if (typeof flush !== 'function') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 2000);
    flush.call(log, (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}

export interface RunningService extends StartedService {
  /** Runs the ordered shutdown without exiting (signals run it, then exit). Idempotent. */
  stop(reason?: string): Promise<ShutdownReport>;
  /** Removes the signal handlers (the service keeps running). */
  uninstallSignals(): void;
}

/**
 * Starts the service (listen, register) and installs SIGINT/SIGTERM handlers: the first signal runs the ordered
 * shutdown and exits 0 (1 if a step failed or it took longer than `graceMs`); a second signal exits 1 at once.
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const opts = parse(options);
  const lifecycle = createServiceLifecycle(options);
  const log = (opts.logger ?? opts.app.log).child({ lib: 'restlib' });
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const started = await lifecycle.start();
  const uninstall = onShutdownSignals((reason) => lifecycle.stop(reason).then((r) => r.ok), {
    signals: opts.signals as NodeJS.Signals[],
    graceMs: opts.graceMs,
    exit,
    log,
  });
  return { ...started, stop: (reason) => lifecycle.stop(reason), uninstallSignals: uninstall };
}

/**
 * SIGINT/SIGTERM (by default) run `shutdown` once, then exit 0 (1 when it reports failure or takes longer than
 * `graceMs`); a second signal exits 1 at once. Returns a function that removes the handlers.
 */
export function onShutdownSignals(
  shutdown: (reason: string) => Promise<boolean>,
  opts: { signals?: NodeJS.Signals[]; graceMs?: number; exit?: (code: number) => void; log: LoggerLike },
): () => void {
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM'];
  const graceMs = opts.graceMs ?? 10_000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      opts.log.error({ signal }, 'second signal during shutdown: forcing exit');
      exit(1);
      return;
    }
    signalled = true;
    const timer = setTimeout(() => {
      opts.log.error({ graceMs }, 'shutdown took too long: forcing exit');
      exit(1);
    }, graceMs);
    timer.unref();
    void shutdown(`signal ${signal}`).then((ok) => {
      clearTimeout(timer);
      uninstall();
      exit(ok ? 0 : 1);
    });
  };
  const uninstall = () => {
    for (const s of signals) process.removeListener(s, onSignal);
  };
  for (const s of signals) process.on(s, onSignal);
  return uninstall;
}
