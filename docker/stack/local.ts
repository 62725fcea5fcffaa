import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  writeFileSync,
  readFileSync,
  rmSync,
  existsSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cacheDir, scriptsDir } from './paths.js';
import { freePort } from './ports.js';
import { consulHasLeader, execFileAsync, killGroup, runScript, spawnGroup, stopGroup, waitUntil } from './process.js';
import { consulBinaryCheck, kafkaLibsCheck } from './scriptResult.js';
import { StackError, type StackAddresses } from './types.js';

export interface LocalStackOptions {
  /** Folder for data and logs; a fresh temporary one when omitted. */
  dataDir?: string;
  /** Ports to try first (the well-known ones for `bookshelf stack up`); free ones are picked otherwise. */
  preferPorts?: boolean;
  /** Stop everything when this process exits, even on a crash or an interrupt (tests). */
  reapWithOwner?: boolean;
  /**
   * Redis AOF fsync policy: `everysec` (default; at most a second of writes lost on a power cut) or `always`
   * (nothing acknowledged is lost, for fault tests that kill the server). Env: BOOKSHELF_REDIS_FSYNC.
   */
  redisFsync?: RedisFsync;
  /** Progress, a line per step (default: stderr, prefixed `[bookshelf-infra]`, with the elapsed time). */
  progress?: (line: string) => void;
}

export type RedisFsync = 'everysec' | 'always';

/** The fsync policy asked for, from the option or BOOKSHELF_REDIS_FSYNC; a clear error for anything else. */
export function redisFsyncOf(value: string | undefined = process.env.BOOKSHELF_REDIS_FSYNC): RedisFsync {
  if (value === undefined || value === '' || value === 'everysec') return 'everysec';
  if (value === 'always') return 'always';
  throw new StackError(`the Redis fsync policy must be everysec or always, got "${value}"`, 'STACK_ERR_CONFIG');
}

export interface LocalStack {
  addresses: StackAddresses;
  pgids: number[];
  /** Process-group leader of each server (as started). */
  pids: { kafka: number; consul: number; redis: number };
  /** Crash and restart each server (fault tests). */
  servers: { kafka: LocalServer; consul: LocalServer; redis: LocalServer };
  dataDir: string;
  logs: Record<string, string>;
  stop(): Promise<void>;
}

/** Kafka (KRaft), Consul (dev agent) and Redis as local processes, each in its own process group. */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const scripts = scriptsDir();
  const began = Date.now();
  const say = opts.progress ?? ((line: string) => process.stderr.write(`[bookshelf-infra] ${line}\n`));
  const step =
    <T>(done: (value: T) => string) =>
    (value: T) => {
      say(`${done(value)} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
      return value;
    };
  await ensureJava();
  say('checking redis-server, kcat, dig and chromium (installed with apt-get when missing)');
  await runScript(join(scripts, 'ensure-tools.sh'), 'none').then(step(() => 'tools ready'));
  const [kafkaLibs, consulBin] = await Promise.all([
    runScript(join(scripts, 'fetch-kafka.sh'), kafkaLibsCheck).then(step((dir) => `Kafka jars ready: ${dir}`)),
    runScript(join(scripts, 'build-consul.sh'), consulBinaryCheck).then(step((bin) => `Consul binary ready: ${bin}`)),
  ]);
  say('starting Kafka (KRaft), Consul (dev agent) and Redis (AOF)');
  mkdirSync(join(cacheDir(), 'run'), { recursive: true });
  const dataDir = opts.dataDir ?? mkdtempSync(join(cacheDir(), 'run', 'stack-'));
  mkdirSync(dataDir, { recursive: true });

  const pgids: number[] = [];
  const logs: Record<string, string> = {};
  const pgidFile = join(dataDir, 'pgids');
  writeFileSync(pgidFile, '');
  const track = (pgid: number) => {
    pgids.push(pgid);
    appendFileSync(pgidFile, `${pgid}\n`);
  };
  const reaper = opts.reapWithOwner ? startReaper(pgidFile, opts.dataDir ? '' : dataDir) : undefined;
  const stop = once(async () => {
    await Promise.all(pgids.map((g) => stopGroup(g)));
    if (reaper !== undefined) {
      try {
        process.kill(-reaper, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    const started = await Promise.all([
      startKafka(kafkaLibs, join(dataDir, 'kafka'), opts.preferPorts, track).then(
        step((k) => `Kafka answers on ${k.brokers}`),
      ),
      startConsul(consulBin, join(dataDir, 'consul'), opts.preferPorts, track).then(
        step((c) => `Consul answers on ${c.addr} (DNS ${c.dnsPort})`),
      ),
      startRedis(join(dataDir, 'redis'), opts.preferPorts, redisFsyncOf(opts.redisFsync), track).then(
        step((r) => `Redis answers on ${r.url}`),
      ),
    ]);
    const [kafka, consul, redis] = started;
    logs.kafka = kafka.log;
    logs.consul = consul.log;
    logs.redis = redis.log;
    return {
      addresses: {
        kafkaBrokers: kafka.brokers,
        consulAddr: consul.addr,
        consulDnsPort: consul.dnsPort,
        redisUrl: redis.url,
      },
      pgids,
      pids: { kafka: kafka.pid, consul: consul.pid, redis: redis.pid },
      servers: { kafka: localServer(kafka), consul: localServer(consul), redis: localServer(redis) },
      dataDir,
      logs,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function ensureJava(): Promise<void> {
  try {
    await execFileAsync('java', ['-version']);
  } catch {
    throw new StackError('java is required for the local Kafka broker: install OpenJDK 17 or newer', 'STACK_ERR_TOOL');
  }
}

/** A detached watcher that stops the groups in `pgidFile` (and removes `removeDir`) once this process is gone. */
export function startReaper(pgidFile: string, removeDir: string): number {
  const child = spawn('bash', [join(scriptsDir(), 'reaper.sh'), String(process.pid), pgidFile, removeDir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid!;
}

/** The JVM flags Kafka's own scripts use; 512 MB is plenty for tests. */
export const KAFKA_JVM_FLAGS: readonly string[] = [
  '-Xms512m',
  '-Xmx512m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

/** Log4j2 at WARN on the console, plus the readiness line `Kafka Server started`; returns the file. */
export function writeKafkaLog4j(dir: string): string {
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(
    log4j,
    [
      'status = warn',
      'appender.console.type = Console',
      'appender.console.name = STDOUT',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = warn',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      'logger.raft.name = kafka.server.KafkaRaftServer',
      'logger.raft.level = info',
      '',
    ].join('\n'),
  );
  return log4j;
}

/** The broker settings every single-node test broker shares (replication factors of 1, no join delay). */
export const KAFKA_SINGLE_NODE_PROPERTIES: readonly string[] = [
  'num.partitions=1',
  'offsets.topic.replication.factor=1',
  'offsets.topic.num.partitions=1',
  'transaction.state.log.replication.factor=1',
  'transaction.state.log.min.isr=1',
  'share.coordinator.state.topic.replication.factor=1',
  'share.coordinator.state.topic.min.isr=1',
  'group.initial.rebalance.delay.ms=0',
  'auto.create.topics.enable=true',
];

async function startKafka(libs: string, dir: string, preferPorts: boolean | undefined, track: (pgid: number) => void) {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = await freePort(preferPorts ? 9092 : undefined);
  const controllerPort = await freePort(preferPorts ? 9093 : undefined);
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'inter.broker.listener.name=PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      ...KAFKA_SINGLE_NODE_PROPERTIES,
      '',
    ].join('\n'),
  );
  const log4j = writeKafkaLog4j(dir);
  const cp = `${libs}/*`;
  const clusterId = randomBytes(16).toString('base64url');
  await execFileAsync('java', [
    '-cp',
    cp,
    `-Dlog4j2.configurationFile=${log4j}`,
    'kafka.tools.StorageTool',
    'format',
    '--standalone',
    // One argument: an id starting with "-" (1 in 32 of them) would be read as a flag.
    `--cluster-id=${clusterId}`,
    '-c',
    props,
  ]).catch((err: unknown) => {
    throw new StackError(`formatting Kafka storage failed: ${String(err)}`, 'STACK_ERR_START', { cause: err });
  });
  const log = join(dir, 'kafka.log');
  const brokers = `127.0.0.1:${port}`;
  const launch = async (): Promise<number> => {
    const from = existsSync(log) ? statSync(log).size : 0;
    const pid = spawnGroup(
      'java',
      [...KAFKA_JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j}`, '-cp', cp, 'kafka.Kafka', props],
      log,
    );
    track(pid);
    await waitUntil(
      'Kafka',
      async () =>
        readFileSync(log, 'utf8').slice(from).includes('Kafka Server started') &&
        (await execFileAsync('kcat', ['-L', '-b', brokers, '-m', '5'])).stdout.includes('1 brokers'),
      { timeoutMs: 120_000, pid, logFile: log },
    );
    return pid;
  };
  return { brokers, log, launch, pid: await launch() };
}

async function startConsul(bin: string, dir: string, preferPorts: boolean | undefined, track: (pgid: number) => void) {
  mkdirSync(dir, { recursive: true });
  const http = await freePort(preferPorts ? 8500 : undefined);
  const dns = await freePort(preferPorts ? 8600 : undefined);
  const [grpc, server, serfLan, serfWan] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const log = join(dir, 'consul.log');
  const addr = `127.0.0.1:${http}`;
  // A dev agent keeps everything in memory: started again, it is an agent that restarted empty.
  const launch = async (): Promise<number> => {
    const pid = spawnGroup(
      bin,
      [
        'agent',
        '-dev',
        '-node=bookshelf',
        '-bind=127.0.0.1',
        '-advertise=127.0.0.1',
        '-client=127.0.0.1',
        `-http-port=${http}`,
        `-dns-port=${dns}`,
        `-grpc-port=${grpc}`,
        '-grpc-tls-port=-1',
        `-server-port=${server}`,
        `-serf-lan-port=${serfLan}`,
        `-serf-wan-port=${serfWan}`,
        '-log-level=warn',
      ],
      log,
    );
    track(pid);
    await waitUntil('Consul', () => consulHasLeader(addr), { timeoutMs: 60_000, pid, logFile: log });
    return pid;
  };
  return { addr, dnsPort: dns, log, launch, pid: await launch() };
}

/** Redis with AOF: on this transport Redis is the log, so it must survive a restart (SPEC §3). */
async function startRedis(
  dir: string,
  preferPorts: boolean | undefined,
  fsync: RedisFsync,
  track: (pgid: number) => void,
) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort(preferPorts ? 6379 : undefined);
  const log = join(dir, 'redis.log');
  // Started again on the same port and directory, it loads its append-only file.
  const launch = async (): Promise<number> => {
    const pid = spawnGroup(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        fsync,
        '--dir',
        dir,
        '--daemonize',
        'no',
      ],
      log,
    );
    track(pid);
    await waitUntil(
      'Redis',
      async () => (await execFileAsync('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG',
      { timeoutMs: 60_000, pid, logFile: log },
    );
    return pid;
  };
  return { url: `redis://127.0.0.1:${port}`, log, launch, pid: await launch() };
}

/** One server of the stack, for fault tests: crash it and start it again on the same ports and data. */
export interface LocalServer {
  /** Process-group leader of the running server. */
  pid(): number;
  /** SIGKILL to its whole process group (a crash); resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again after `kill` (same ports, same data directory); resolves once it answers. */
  start(): Promise<void>;
}

function localServer(started: { pid: number; launch: () => Promise<number> }): LocalServer {
  let pid = started.pid;
  return {
    pid: () => pid,
    kill: () => killGroup(pid),
    start: async () => {
      pid = await started.launch();
    },
  };
}

export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
