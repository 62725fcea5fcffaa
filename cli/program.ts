import { Command, CommanderError } from 'commander';
import { stackCommand } from './commands/stack.js';
import { runPlatform } from './commands/platform.js';
import { runLendingCommand } from './commands/lending.js';
import { startService } from './host/startService.js';
import { ALL_SERVICES, findService } from './services/index.js';

/** Runs `bookshelf <argv>`. */
export async function runCli(argv: readonly string[]): Promise<void> {
  if (await runLendingCommand(argv)) return;
  if (argv[0] === 'library') return (await import('./commands/library.js')).runLibraryCommand(argv.slice(1));
  // Service commands parse their own flags (restlib's config loader: flags, then env, then defaults).
  const service = findService(argv);
  if (service) {
    await startService(service.entry, service.rest);
    return;
  }
  if (argv[0] === 'start' || argv[0] === 'up') {
    await runPlatform(argv[0] === 'start' ? 'embedded' : 'real', argv.slice(1));
    return;
  }

  const program = new Command('bookshelf')
    .description(
      'Event-driven CQRS microservices on Kafka, Redis Streams or an in-memory bus, discovered through Consul',
    )
    .showHelpAfterError()
    .exitOverride();
  const services = [
    ['start', 'every service in this process, embedded (in-memory bus and registry)'],
    ['up', 'every service in this process on Kafka (--broker) or Redis (--redis), with Consul (--consul)'],
    ...ALL_SERVICES.map((e) => [e.command.join(' '), e.spec.description ?? e.spec.defaults.name]),
  ];
  program.addHelpText(
    'after',
    [
      '',
      'Services (each takes --help for its flags):',
      ...services.map(([cmd, what]) => `  ${cmd!.padEnd(22)} ${what}`),
    ].join('\n'),
  );
  stackCommand(program);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    throw err;
  }
}
