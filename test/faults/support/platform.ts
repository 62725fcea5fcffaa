// The platform as an operator runs it for the fault suite: every service its own CLI process on a stack of its
// own (Kafka or Redis Streams, plus Consul), so a worker, the broker or the agent can be killed and restarted.
import { freePort } from '../../../docker/stack/ports.js';
import { startLocalStack, type LocalStack } from '../../../docker/stack/local.js';
import { startCli, waitForReady, type CliProcess } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait.js';

export type Transport = 'kafka' | 'redis';

/** What the fault suite starts per transport: the stack, then these services. */
interface ServiceSpec {
  readonly key: string;
  readonly words: readonly string[];
  /** HTTP services answer /ready; workers print a line once they hold their lock and run. */
  readonly http: boolean;
}

const SERVICES: readonly ServiceSpec[] = [
  { key: 'newbook', words: ['aggregate', 'new-book'], http: true },
  { key: 'readbook', words: ['aggregate', 'read-book'], http: true },
  { key: 'lastread', words: ['view', 'last-read'], http: true },
  { key: 'booklist', words: ['view', 'book-list'], http: true },
  { key: 'lending', words: ['aggregate', 'lending'], http: true },
  { key: 'lendingview', words: ['view', 'lending'], http: true },
  { key: 'shelving', words: ['aggregate', 'shelving'], http: true },
  { key: 'shop', words: ['orders', 'shop'], http: true },
  { key: 'saga', words: ['orders', 'saga'], http: true },
  { key: 'ordersview', words: ['orders', 'view'], http: true },
  { key: 'gateway', words: ['gateway'], http: true },
  { key: 'w1', words: ['lending-worker', 'w1'], http: false },
  { key: 'w2', words: ['lending-worker', 'w2'], http: false },
];

/** Nothing from the caller's shell may point a service elsewhere. */
const CLEAN_ENV = {
  KAFKA_BROKERS: '',
  REDIS_URL: '',
  CONSUL_HTTP_ADDR: '',
  BOOKSHELF_BROKER: '',
  BOOKSHELF_REDIS: '',
  BOOKSHELF_CONSUL: '',
  BOOKSHELF_LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
};

export interface FaultPlatform {
  readonly transport: Transport;
  readonly stack: LocalStack;
  /** The gateway's base URL. */
  readonly gateway: string;
  /** kill -9 of one service process. */
  kill(key: string): Promise<void>;
  /** Starts a killed service again with the same flags, and waits until it serves. */
  start(key: string): Promise<void>;
  /** What a service process printed (for failure messages). */
  output(key: string): string;
  stop(): Promise<void>;
}

export async function startFaultPlatform(transport: Transport): Promise<FaultPlatform> {
  // appendfsync always: a Redis killed with SIGKILL has every acknowledged XADD on disk (SPEC §3).
  const stack = await startLocalStack({ redisFsync: 'always', reapWithOwner: true });
  const { kafkaBrokers, consulAddr, redisUrl } = stack.addresses;
  const bus = transport === 'kafka' ? ['--broker', kafkaBrokers] : ['--redis', redisUrl];
  const workerBus = transport === 'kafka' ? ['--broker', kafkaBrokers] : ['-a', redisUrl];
  const ports = new Map<string, number>();
  const procs = new Map<string, CliProcess>();

  const argsOf = (spec: ServiceSpec): string[] => {
    if (!spec.http) {
      return [...spec.words, ...workerBus, '--consul', consulAddr, '--wait-for-lock', '--lock-ttl-ms', '3000'];
    }
    const gateway = spec.key === 'gateway';
    return [
      ...spec.words,
      // The gateway is ready once every service of the domains it routes passes (the library is not started).
      ...(gateway ? ['--domains', 'bookshelf', 'lending', 'orders'] : bus),
      '--consul',
      consulAddr,
      '--port',
      String(ports.get(spec.key)),
      '--id',
      `${spec.key}-1`,
    ];
  };

  const launch = async (spec: ServiceSpec) => {
    const proc = startCli(argsOf(spec), CLEAN_ENV);
    procs.set(spec.key, proc);
    if (spec.http) {
      await waitForReady(`http://127.0.0.1:${ports.get(spec.key)}/ready`, proc, 120_000);
    } else {
      await waitFor(
        () => {
          if (proc.child.exitCode !== null) throw new Error(`${spec.key} exited:\n${proc.output()}`);
          return proc.output().includes(`lending worker ${spec.words[1]} running`);
        },
        { timeoutMs: 120_000, what: `${spec.key} to run` },
      );
    }
  };
  const specOf = (key: string) => {
    const spec = SERVICES.find((s) => s.key === key);
    if (!spec) throw new Error(`no service ${key}`);
    return spec;
  };

  try {
    for (const spec of SERVICES) if (spec.http) ports.set(spec.key, await freePort());
    // Started one after the other: topics are created as each service starts (race-free either way).
    for (const spec of SERVICES) await launch(spec);
  } catch (err) {
    await Promise.allSettled([...procs.values()].map((p) => p.stop(5000)));
    await stack.stop();
    throw err;
  }

  return {
    transport,
    stack,
    gateway: `http://127.0.0.1:${ports.get('gateway')}`,
    kill: async (key) => {
      const proc = procs.get(key);
      if (!proc) return;
      proc.signal('SIGKILL');
      await proc.exited;
    },
    start: (key) => launch(specOf(key)),
    output: (key) => procs.get(key)?.output() ?? '',
    stop: async () => {
      await Promise.allSettled([...procs.values()].map((p) => p.stop(10_000)));
      await stack.stop();
    },
  };
}
