import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root (bench/ lives directly under it). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child process the benchmark started; `stop()` ends it (SIGTERM, then SIGKILL) and is safe to call twice. */
export interface Child {
  readonly child: ChildProcess;
  readonly command: string;
  output(): string;
  readonly exited: Promise<number | string>;
  /** Highest VmHWM (peak resident set, bytes) seen while polling /proc/<pid>/status. */
  peakRss(): number;
  stop(graceMs?: number): Promise<number | string>;
}

const running = new Set<Child>();

/** Reads VmHWM (peak RSS) of a live process in bytes; 0 once it is gone. */
export function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function spawnChild(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe'; keepStdout?: boolean; stdout?: 'ignore' | 'pipe' } = {},
): Child {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ?? 'ignore', opts.stdout ?? 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    // Bounded: a chatty child must not grow the benchmark's own memory.
    if (out.length < 1_000_000) out += d.toString();
  };
  if (child.stdout) {
    if (opts.keepStdout !== false) child.stdout.on('data', keep);
    else child.stdout.resume();
  }
  child.stderr!.on('data', keep);
  let peak = 0;
  const poll = setInterval(() => {
    if (child.pid) peak = Math.max(peak, vmHwm(child.pid));
  }, 50);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      running.delete(proc);
      resolve(code ?? sig ?? -1);
    }),
  );
  const proc: Child = {
    child,
    command: [cmd, ...args].join(' '),
    output: () => out,
    exited,
    peakRss: () => Math.max(peak, child.pid ? vmHwm(child.pid) : 0),
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(proc);
  return proc;
}

/** `bookshelf <args>` from source, as users run it. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []): Child {
  return spawnChild(process.execPath, [...nodeFlags, '--import', 'tsx', 'cli/main.ts', ...args], {
    env: { BOOKSHELF_LOG_LEVEL: 'warn', ...env },
  });
}

/** Runs a command to completion (bounded by `timeoutMs`), returning exit code, output and peak RSS. */
export async function runToEnd(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; keepStdout?: boolean; stdout?: 'ignore' | 'pipe' } = {},
): Promise<{ code: number | string; output: string; peakRss: number; ms: number }> {
  const started = performance.now();
  const p = spawnChild(cmd, args, opts);
  const timer = setTimeout(() => void p.stop(2000), opts.timeoutMs ?? 300_000);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, output: p.output(), peakRss: p.peakRss(), ms: performance.now() - started };
}

/** Stops every child this process started (end of a benchmark, or on an error). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(5000)));
}

/** Polls `check` until it returns a truthy value; throws after `timeoutMs`. */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Waits until `url` answers 200, failing early with the child's output if it exits. */
export async function waitReady(url: string, proc: Child, timeoutMs = 120_000): Promise<void> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await until(
    async () => {
      if (exited) return true;
      const res = await fetch(url);
      await res.body?.cancel();
      return res.status === 200;
    },
    `${url} to answer 200`,
    timeoutMs,
    50,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- output ---\n${proc.output()}`);
  });
  if (exited) throw new Error(`${proc.command} exited before ${url} was ready:\n${proc.output()}`);
}
