import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../cli/program.js';
import { ALL_SERVICES } from '../../../cli/services/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const read = (file: string) => readFileSync(new URL(file, `file://${ROOT}`), 'utf8');
const { version } = JSON.parse(read('package.json')) as { version: string };

/** What `runCli(argv)` writes to stdout, in this process (for the paths that neither start nor exit). */
async function stdoutOf(argv: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  try {
    await runCli(argv);
  } finally {
    vi.restoreAllMocks();
  }
  return out;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `bookshelf <args>` from source, as a real child process (`nodeArgs` go before the entry point). */
function bookshelf(args: string[], nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ...nodeArgs, 'cli/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, BOOKSHELF_LOG_LEVEL: 'warn' }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const COMMANDS = ['start', 'up', 'stack', 'lending-worker', 'books', 'library', 'help'];

describe('runCli', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--version and -V print the package.json version', async () => {
    expect(await stdoutOf(['--version'])).toBe(`${version}\n`);
    expect(await stdoutOf(['-V'])).toBe(`${version}\n`);
  });

  it('--help lists every command, each description starting in the same column', async () => {
    const help = await stdoutOf(['--help']);
    const rows = help.split('\n').filter((line) => line.startsWith('  '));
    const usages = rows.map((line) => /^ {2}(\S+(?: \S+)*)/.exec(line)![1]!);
    for (const command of [...COMMANDS, ...ALL_SERVICES.map((e) => e.command.join(' '))]) {
      expect(
        usages.some((u) => u === command || u.startsWith(`${command} `)),
        command,
      ).toBe(true);
    }
    const columns = new Set(rows.map((line) => /^ {2}\S+(?: \S+)* {2,}(?=\S)/.exec(line)?.[0].length));
    expect([...columns]).toHaveLength(1);
    expect([...columns][0]).toBeGreaterThan(4);
  });

  it('bare bookshelf, -h, help and help help print the same help', async () => {
    const help = await stdoutOf(['--help']);
    for (const argv of [[], ['-h'], ['help'], ['help', 'help'], ['help', '--help']]) {
      expect(await stdoutOf(argv), argv.join(' ')).toBe(help);
    }
  });

  it('an unknown command or option is a usage error (exit 2) pointing at --help', async () => {
    const cases: [string[], string][] = [
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['frobnicate', '--help'], 'unknown command "frobnicate"'],
      [['view', 'nope'], 'unknown command "view nope"'],
      [['help', 'frobnicate'], 'unknown command "frobnicate"'],
      [['--nope'], 'unknown option "--nope"'],
      [['orders'], '"orders" needs one of: shop, saga, view, crm, messages'],
    ];
    for (const [argv, message] of cases) {
      await expect(runCli(argv), argv.join(' ')).rejects.toMatchObject({
        message: `${message} (see bookshelf --help)`,
        exitCode: 2,
      });
    }
  });
});

describe('bookshelf, the real CLI', { timeout: 60_000 }, () => {
  it('--version prints the version; --help the help; both on stdout only', async () => {
    const [v, help] = await Promise.all([bookshelf(['--version']), bookshelf(['--help'])]);
    expect(v).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(help).toEqual({ code: 0, stdout: await stdoutOf(['--help']), stderr: '' });
  });

  it('an unknown command: one line on stderr, exit 2', async () => {
    expect(await bookshelf(['frobnicate'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'bookshelf: unknown command "frobnicate" (see bookshelf --help)\n',
    });
  });

  it('help <command> prints what <command> --help prints', async () => {
    for (const command of [['stack'], ['view', 'last-read']]) {
      const [direct, viaHelp] = await Promise.all([bookshelf([...command, '--help']), bookshelf(['help', ...command])]);
      expect(direct.code, command.join(' ')).toBe(0);
      expect(direct.stdout).toMatch(new RegExp(`^Usage: bookshelf ${command.join(' ')} `));
      expect(viaHelp).toEqual(direct);
    }
  });

  it('an unsupported Node gets one line and exit 1, before anything else is loaded', async () => {
    const node2018 = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.18.0'})";
    expect(await bookshelf(['start'], ['--import', node2018])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'bookshelf: Node 20.18.0 is not supported: use Node ^20.19 or >=22.12\n',
    });
    // The check is main's only static import; everything else is imported once it passed.
    const main = read('cli/main.ts');
    expect([...main.matchAll(/^import .* from '(.*)';$/gm)].map((m) => m[1])).toEqual(['./host/nodeVersion.js']);
    expect(main.indexOf('checkNodeVersion(process.versions.node)')).toBeLessThan(
      main.indexOf("import('./program.js')"),
    );
  });
});
