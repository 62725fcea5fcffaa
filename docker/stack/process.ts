import { spawn, execFile } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename } from 'node:path';
import { scriptResult, type ResultCheck } from './scriptResult.js';
import { StackError } from './types.js';

export const execFileAsync = promisify(execFile);

/** Starts a long-running server as the leader of its own process group, output to a log file. */
export function spawnGroup(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
    if (child.pid === undefined) throw new StackError(`could not start ${cmd}`, 'STACK_ERR_SPAWN');
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, SIGKILL after `graceMs`. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await sleep(100);
  }
  signal('SIGKILL');
}

/** SIGKILL to the whole group (a crash, nothing flushed); resolves once every member is gone. */
export async function killGroup(pgid: number, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true; never a fixed sleep. Fails with the log tail when the process dies. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; pid?: number; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new StackError(`${what} exited during start-up${logTail(opts.logFile)}`, 'STACK_ERR_START');
    }
    await sleep(200);
  }
  throw new StackError(`${what} not ready after ${opts.timeoutMs} ms${logTail(opts.logFile)}`, 'STACK_ERR_TIMEOUT');
}

function logTail(file?: string): string {
  if (!file || !existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15);
  return `; last log lines of ${file}:\n${lines.join('\n')}`;
}

/**
 * Runs one of the docker/local/*.sh scripts; its progress goes to our stderr, its stdout is the answer. With
 * `check`, the answer is its last line, validated (see scriptResult); without, stdout must be empty.
 */
export async function runScript(
  script: string,
  check?: ResultCheck | 'none',
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], env: env ?? process.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const name = basename(script);
      if (code !== 0) return reject(new StackError(`${name} failed with exit code ${code}`, 'STACK_ERR_SETUP'));
      if (check === 'none') {
        if (out.trim() === '') return resolve('');
        return reject(
          new StackError(
            `${name} printed ${JSON.stringify(out.trim())} on stdout, expected nothing`,
            'STACK_ERR_SETUP',
          ),
        );
      }
      resolve(Promise.resolve().then(() => scriptResult(name, out, check)));
    });
  });
}

/** A Consul agent is usable once it reports a raft leader. */
export async function consulHasLeader(addr: string): Promise<boolean> {
  const res = await fetch(`http://${addr}/v1/status/leader`);
  return res.ok && ((await res.json()) as string).length > 0;
}
