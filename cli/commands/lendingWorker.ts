import { Command } from 'commander';
import { createLogger, defaultLogFormat, type LogLevel } from '../../restlib/index.js';
import { lendingConfig } from '../../aggregates/lending/contract.js';
import { lendingTopics } from '../../aggregates/lending/contract.js';
import { runLendingWorker } from '../../aggregates/lending/services.js';
import { startTelemetry, stopTelemetry } from '../host/telemetry.js';
import {
  addConnectionOptions,
  openTransportBus,
  securityOf,
  transportOf,
  UsageError,
  type ConnectionFlags,
} from './lendingOptions.js';

interface WorkerFlags extends ConnectionFlags {
  force?: boolean;
  waitForLock?: boolean;
  consul?: string;
  consulToken?: string;
  consulTokenFile?: string;
  consulCaFile?: string;
  limit?: string;
  copies?: string;
  loanDays?: string;
  storageCapacity?: string;
  lockTtlMs?: string;
  claimIdleMs?: string;
  logLevel: string;
  logFormat?: string;
}

const int = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number (got ${value})`);
  return n;
};

export const LENDING_WORKER_DESCRIPTION = 'the lending worker: decides lending requests and returns (SPEC §6)';

/**
 * `bookshelf lending-worker <name> [-f|--force] [-a|--address] [--db] [--password] [--tls] [--broker] [--consul]`:
 * decides lending requests and returns until SIGINT/SIGTERM. Exit 1 with one line when the name is in use (unless
 * --force) or the lock is lost; exit 2 on bad flags.
 */
export async function lendingWorkerCommand(argv: readonly string[]): Promise<void> {
  const program = addConnectionOptions(
    new Command('bookshelf lending-worker')
      .description(LENDING_WORKER_DESCRIPTION)
      .argument('<name>', 'unique worker name (the instance lock)')
      .option('-f, --force', 'start even if a worker with this name holds the lock (takes it over)')
      .option(
        '--wait-for-lock',
        'when the name is in use, wait until its lock is free (a restart right after a crash) instead of exiting 1',
      )
      .option(
        '--consul <host:port>',
        'Consul agent: where a worker on Kafka keeps its instance lock (env BOOKSHELF_CONSUL)',
      )
      .option(
        '--consul-token <token>',
        'Consul ACL token (prefer env BOOKSHELF_CONSUL_TOKEN or CONSUL_HTTP_TOKEN, or --consul-token-file)',
      )
      .option(
        '--consul-token-file <path>',
        'file holding the Consul ACL token (env BOOKSHELF_CONSUL_TOKEN_FILE or CONSUL_HTTP_TOKEN_FILE)',
      )
      .option(
        '--consul-ca-file <path>',
        'PEM CA certificate(s) to trust for https:// to Consul (env BOOKSHELF_CONSUL_CA_FILE or CONSUL_CACERT)',
      )
      .option('--limit <n>', 'most books one user may hold (default 5)')
      .option('--copies <n>', 'copies of every book (default 1)')
      .option('--loan-days <n>', 'loan period in days (default 14)')
      .option('--storage-capacity <n>', 'copies the automated storage holds (default 20)')
      .option('--lock-ttl-ms <ms>', 'how long the lock outlives a crashed worker (default 10000)')
      .option('--claim-idle-ms <ms>', 'Redis: reclaim commands another worker left pending this long (default 30000)')
      .option('--log-level <level>', 'log level', process.env.BOOKSHELF_LOG_LEVEL ?? 'info')
      .option(
        '--log-format <format>',
        'json or pretty (default: pretty on a terminal)',
        process.env.BOOKSHELF_LOG_FORMAT,
      ),
  )
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  program.parse([...argv], { from: 'user' });
  const flags = program.opts<WorkerFlags>();
  const name = program.args[0]!;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
    throw new UsageError(`worker name must be 1-100 letters, digits, ".", "_" or "-" (got ${JSON.stringify(name)})`);
  }
  const transport = transportOf(flags);
  const consulAddr = flags.consul ?? process.env.BOOKSHELF_CONSUL;
  const { consul: consulSecurity } = securityOf(consulFlags(flags, process.env));
  if (transport.kind === 'kafka' && !consulAddr) {
    throw new UsageError('a lending worker on Kafka keeps its instance lock in Consul: add --consul host:port');
  }
  let config;
  try {
    config = lendingConfig({
      ...(flags.limit !== undefined ? { limit: int('--limit', flags.limit) } : {}),
      ...(flags.copies !== undefined ? { copiesPerBook: int('--copies', flags.copies) } : {}),
      ...(flags.loanDays !== undefined ? { loanDays: int('--loan-days', flags.loanDays) } : {}),
      ...(flags.storageCapacity !== undefined
        ? { storageCapacity: int('--storage-capacity', flags.storageCapacity) }
        : {}),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const format = flags.logFormat ?? defaultLogFormat();
  if (format !== 'json' && format !== 'pretty')
    throw new UsageError(`--log-format must be json or pretty (got ${format})`);
  const log = createLogger({ name: `lending-worker-${name}`, level: flags.logLevel as LogLevel, format });
  await startTelemetry(`lending-worker-${name}`, log);
  const topics = lendingTopics(flags.namespace);
  const bus = await openTransportBus(transport, `lending-worker-${name}`, log);
  let running;
  try {
    running = await runLendingWorker(
      { bus, log, clock: () => new Date() },
      {
        name,
        topics,
        config,
        connectTimeoutMs: transport.connectTimeoutMs,
        ...(flags.force ? { force: true } : {}),
        ...(flags.waitForLock ? { waitForLock: true } : {}),
        ...(transport.kind === 'redis' ? { redis: transport.redis } : {}),
        ...(consulAddr
          ? {
              consul: {
                addr: consulAddr.replace(/^https?:\/\//, '').replace(/\/$/, ''),
                secure: consulAddr.startsWith('https://'),
                ...(consulSecurity.token !== undefined ? { token: consulSecurity.token } : {}),
                ...(consulSecurity.ca ? { ca: consulSecurity.ca } : {}),
              },
            }
          : {}),
        ...(flags.lockTtlMs !== undefined ? { lockTtlMs: int('--lock-ttl-ms', flags.lockTtlMs)! } : {}),
        ...(flags.claimIdleMs !== undefined ? { claimIdleMs: int('--claim-idle-ms', flags.claimIdleMs)! } : {}),
      },
    );
  } catch (err) {
    await bus.close().catch(() => undefined);
    throw err;
  }
  process.stdout.write(`lending worker ${name} running on ${transport.kind} (lock: ${running.lock.kind})\n`);
  let exiting = false;
  const stop = async (code: number) => {
    if (exiting) process.exit(1);
    exiting = true;
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    await running.close().catch((err: unknown) => log.error({ err }, 'stopping the worker failed'));
    await bus.close().catch(() => undefined);
    await stopTelemetry();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void running.stopped.then((reason) => {
    process.stderr.write(`bookshelf: lending worker ${name} stopped: ${reason}\n`);
    void stop(1);
  });
}

/**
 * The Consul token and CA: the flags, else the first of BOOKSHELF_CONSUL_TOKEN, BOOKSHELF_CONSUL_TOKEN_FILE,
 * CONSUL_HTTP_TOKEN and CONSUL_HTTP_TOKEN_FILE that is set (the order `bookshelf up` reads them in).
 */
function consulFlags(flags: WorkerFlags, env: NodeJS.ProcessEnv) {
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';
  const consulCaFile = [flags.consulCaFile, env.BOOKSHELF_CONSUL_CA_FILE, env.CONSUL_CACERT].find(set);
  if (set(flags.consulToken) || set(flags.consulTokenFile)) {
    return { consulToken: flags.consulToken, consulTokenFile: flags.consulTokenFile, consulCaFile };
  }
  const candidates = [
    ['consulToken', env.BOOKSHELF_CONSUL_TOKEN],
    ['consulTokenFile', env.BOOKSHELF_CONSUL_TOKEN_FILE],
    ['consulToken', env.CONSUL_HTTP_TOKEN],
    ['consulTokenFile', env.CONSUL_HTTP_TOKEN_FILE],
  ] as const;
  const found = candidates.find(([, value]) => set(value));
  return { ...(found ? { [found[0]]: found[1] } : {}), consulCaFile };
}
