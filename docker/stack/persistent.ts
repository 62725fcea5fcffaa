import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileAsync, isAlive, stopGroup } from './process.js';
import { cacheDir, packageRoot } from './paths.js';
import { startLocalStack, type RedisFsync } from './local.js';
import { StackError, type StackAddresses } from './types.js';

/** What `bookshelf stack up` leaves behind so `status` and `down` can find it from another process. */
interface StackState {
  mode: 'local' | 'docker';
  addresses: StackAddresses;
  pids: Record<string, number>;
  dataDir: string;
  logs: Record<string, string>;
  startedAt: string;
}

const stateDir = () => join(cacheDir(), 'stack');
const stateFile = () => join(stateDir(), 'state.json');
const composeFile = () => join(packageRoot(), 'docker', 'compose.yaml');

function readState(): StackState | undefined {
  if (!existsSync(stateFile())) return undefined;
  return JSON.parse(readFileSync(stateFile(), 'utf8')) as StackState;
}

export interface StackStatus {
  running: boolean;
  state?: StackState;
  components: { name: string; address: string; pid?: number; alive: boolean }[];
}

export function stackStatus(): StackStatus {
  const state = readState();
  if (!state) return { running: false, components: [] };
  const a = state.addresses;
  const comps = [
    { name: 'kafka', address: a.kafkaBrokers },
    { name: 'consul', address: `http ${a.consulAddr}, dns 127.0.0.1:${a.consulDnsPort}` },
    { name: 'redis', address: a.redisUrl },
  ].map((c) => {
    const pid = state.pids[c.name];
    return { ...c, pid, alive: state.mode === 'docker' ? true : pid !== undefined && isAlive(pid) };
  });
  return { running: comps.some((c) => c.alive), state, components: comps };
}

async function dockerEngine(): Promise<boolean> {
  try {
    await execFileAsync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Starts Kafka, Consul and Redis in the background on the well-known ports when free. Idempotent. */
export async function stackUp(mode: 'auto' | 'local' | 'docker', redisFsync?: RedisFsync): Promise<StackStatus> {
  const current = stackStatus();
  if (current.running) return current;
  if (current.state) await stackDown();
  const useDocker = mode === 'docker' || (mode === 'auto' && (await dockerEngine()));
  mkdirSync(stateDir(), { recursive: true });
  let state: StackState;
  if (useDocker) {
    // The infra profile: Kafka, Redis and the host-network Consul whose checks reach services on this machine.
    await execFileAsync('docker', ['compose', '-f', composeFile(), '--profile', 'infra', 'up', '-d', '--wait'], {
      env: { ...process.env, ...(redisFsync ? { BOOKSHELF_REDIS_FSYNC: redisFsync } : {}) },
    }).catch((err: unknown) => {
      throw new StackError(`docker compose up failed: ${String(err)}`, 'STACK_ERR_DOCKER', { cause: err });
    });
    state = {
      mode: 'docker',
      addresses: {
        kafkaBrokers: '127.0.0.1:9092',
        consulAddr: '127.0.0.1:8500',
        consulDnsPort: 8600,
        redisUrl: 'redis://127.0.0.1:6379',
      },
      pids: {},
      dataDir: '',
      logs: {},
      startedAt: new Date().toISOString(),
    };
  } else {
    const dataDir = join(stateDir(), 'data');
    rmSync(dataDir, { recursive: true, force: true });
    const s = await startLocalStack({ dataDir, preferPorts: true, ...(redisFsync ? { redisFsync } : {}) });
    state = {
      mode: 'local',
      addresses: s.addresses,
      pids: s.pids,
      dataDir,
      logs: s.logs,
      startedAt: new Date().toISOString(),
    };
  }
  writeFileSync(stateFile(), JSON.stringify(state, null, 2));
  return stackStatus();
}

/** Stops what `stackUp` started and forgets it. Idempotent. */
export async function stackDown(): Promise<boolean> {
  const state = readState();
  if (!state) return false;
  if (state.mode === 'docker') {
    await execFileAsync('docker', ['compose', '-f', composeFile(), '--profile', 'infra', 'down', '-v']).catch(
      () => undefined,
    );
  } else {
    await Promise.all(Object.values(state.pids).map((pid) => stopGroup(pid)));
    rmSync(state.dataDir, { recursive: true, force: true });
  }
  rmSync(stateFile(), { force: true });
  return true;
}
