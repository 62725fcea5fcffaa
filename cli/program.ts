import { bookshelfPackage } from './host/version.js';

/** A command of `bookshelf`: the words that select it, what the help shows, and how it runs. */
interface CliCommand {
  /** The words after `bookshelf`, e.g. `['view', 'last-read']`. */
  readonly words: readonly string[];
  /** The help's first column: the words and, for some, the arguments that follow. */
  readonly usage: string;
  readonly description: string;
  run(argv: readonly string[]): Promise<unknown>;
}

interface CliSection {
  readonly title: string;
  readonly commands: readonly CliCommand[];
}

/** A usage error: one line, `see bookshelf --help`, exit 2. */
class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly exitCode = 2;
  constructor(message: string) {
    super(`${message} (see bookshelf --help)`);
  }
}

/**
 * Every command, in the order the help lists them. What runs a command (the platform host, a worker, the stack) is
 * imported when it runs; `--version` imports none of this.
 */
async function sections(): Promise<CliSection[]> {
  const [{ ALL_SERVICES }, { PLATFORM_DESCRIPTION }, { STACK_DESCRIPTION }, worker, books, library] = await Promise.all(
    [
      import('./services/index.js'),
      import('./host/startPlatform.js'),
      import('./commands/stack.js'),
      import('./commands/lendingWorker.js'),
      import('./commands/lendingBooks.js'),
      import('./commands/library.js'),
    ],
  );
  const platform = (mode: 'embedded' | 'real') => async (argv: readonly string[]) =>
    (await import('./commands/platform.js')).runPlatform(mode, argv);
  const lending = (name: string) => async (argv: readonly string[]) =>
    (await import('./commands/lending.js')).runLendingCommand([name, ...argv]);
  return [
    {
      title: 'Every service in one process:',
      commands: [
        { words: ['start'], usage: 'start', description: PLATFORM_DESCRIPTION.embedded, run: platform('embedded') },
        { words: ['up'], usage: 'up', description: PLATFORM_DESCRIPTION.real, run: platform('real') },
      ],
    },
    {
      title: 'Tools:',
      commands: [
        { words: ['stack'], usage: 'stack up|down|status', description: STACK_DESCRIPTION, run: runStack },
        {
          words: ['lending-worker'],
          usage: 'lending-worker <name>',
          description: worker.LENDING_WORKER_DESCRIPTION,
          run: lending('lending-worker'),
        },
        {
          words: ['books'],
          usage: 'books request|return',
          description: books.BOOKS_DESCRIPTION,
          run: lending('books'),
        },
        {
          words: ['library'],
          usage: 'library load-demo',
          description: library.LIBRARY_DESCRIPTION,
          run: library.runLibraryCommand,
        },
        {
          words: ['help'],
          usage: 'help [command]',
          description: "this help, or a command's (the same as bookshelf <command> --help)",
          run: async () => undefined, // runCli answers `help` itself
        },
      ],
    },
    {
      title: 'Services, one per process (the bookshelf seed flags; each takes --help):',
      commands: ALL_SERVICES.map((entry) => ({
        words: entry.command,
        usage: entry.command.join(' '),
        description: entry.spec.description ?? entry.spec.defaults.name,
        run: async (argv: readonly string[]) => (await import('./host/startService.js')).startService(entry, argv),
      })),
    },
  ];
}

/** `bookshelf stack up|down|status`, parsed by commander (its own --help and subcommand errors). */
async function runStack(argv: readonly string[]): Promise<void> {
  const [{ Command, CommanderError }, { stackCommand }] = await Promise.all([
    import('commander'),
    import('./commands/stack.js'),
  ]);
  const program = new Command('bookshelf').exitOverride();
  stackCommand(program);
  try {
    await program.parseAsync(['stack', ...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    throw err;
  }
}

/** The top-level help: every command, descriptions in one column. */
function topLevelHelp(all: readonly CliSection[]): string {
  const options: [string, string][] = [
    ['-V, --version', 'print the version'],
    ['-h, --help', 'print this help'],
  ];
  const width = Math.max(
    ...all.flatMap((s) => s.commands.map((c) => c.usage.length)),
    ...options.map(([o]) => o.length),
  );
  const row = (left: string, right: string) => `  ${left.padEnd(width)}  ${right}`;
  return [
    'Usage: bookshelf <command> [options]',
    '',
    'Event-driven CQRS microservices on Kafka, Redis Streams or an in-memory bus, discovered through Consul.',
    ...all.flatMap((s) => ['', s.title, ...s.commands.map((c) => row(c.usage, c.description))]),
    '',
    'Options:',
    ...options.map(([o, what]) => row(o, what)),
    '',
  ].join('\n');
}

/** Runs `bookshelf <argv>`. Usage errors throw with `exitCode` 2; `--help` of a command exits 0 itself. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const [first] = argv;
  if (first === '-V' || first === '--version') {
    process.stdout.write(`${bookshelfPackage().version}\n`);
    return;
  }
  const all = await sections();
  const help = () => void process.stdout.write(topLevelHelp(all));
  if (first === undefined || first === '-h' || first === '--help') return help();
  if (first === 'help') {
    const rest = argv.slice(1);
    return rest.length === 0 || ['help', '-h', '--help'].includes(rest[0]!)
      ? help()
      : dispatch(all, [...rest, '--help']);
  }
  return dispatch(all, argv);
}

async function dispatch(all: readonly CliSection[], argv: readonly string[]): Promise<void> {
  const commands = all.flatMap((s) => s.commands);
  const command = commands.find((c) => c.words.every((word, i) => argv[i] === word));
  if (command) {
    await command.run(argv.slice(command.words.length));
    return;
  }
  const [first = ''] = argv;
  if (first.startsWith('-')) throw new CliUsageError(`unknown option ${JSON.stringify(first)}`);
  const group = commands.filter((c) => c.words.length > 1 && c.words[0] === first);
  if (group.length > 0 && (argv[1] === undefined || argv[1].startsWith('-'))) {
    const seconds = group.map((c) => c.words.slice(1).join(' ')).join(', ');
    throw new CliUsageError(`${JSON.stringify(first)} needs one of: ${seconds}`);
  }
  const words = group.length > 0 ? argv.slice(0, 2) : [first];
  throw new CliUsageError(`unknown command ${JSON.stringify(words.join(' '))}`);
}
