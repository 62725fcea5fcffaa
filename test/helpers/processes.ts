import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = 'cli/main.ts';

export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** What was printed on stderr alone. */
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM and wait; SIGKILL if it does not end within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<number | string>;
}

const running = new Set<CliProcess>();

/** Runs `bookshelf <args>` from source as a real child process (the same entry point users run). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, BOOKSHELF_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, sig) => {
      running.delete(proc);
      resolve(code ?? sig ?? -1);
    }),
  );
  const proc: CliProcess = {
    child,
    output: () => out,
    stderr: () => err,
    exited,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    async stop(graceMs = 10_000) {
      proc.signal('SIGTERM');
      const timer = setTimeout(() => proc.signal('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(proc);
  return proc;
}

/** Runs a CLI command to completion and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | string; output: string }> {
  const p = startCli(args, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** Stops every CLI process a test file started (afterAll). */
export async function stopAllCli(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(5000)));
}

/** Waits until `url` answers 200, failing early with the process output if the process exits. */
export async function waitForReady(url: string, proc?: CliProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc?.exited.then(() => (exited = true));
  const output = () => (proc ? `\n--- output ---\n${proc.output()}` : '');
  while (Date.now() < deadline) {
    if (exited) throw new Error(`process exited before ${url} was ready${output()}`);
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${url} to answer 200${output()}`);
}
