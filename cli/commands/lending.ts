import { CommanderError } from 'commander';
import { lendingBooksCommand } from './lendingBooks.js';
import { lendingWorkerCommand } from './lendingWorker.js';

/** The lending commands that are not HTTP services: `bookshelf lending-worker ...` and `bookshelf books ...`. */
export const LENDING_COMMANDS: Readonly<Record<string, (argv: readonly string[]) => Promise<void>>> = {
  'lending-worker': lendingWorkerCommand,
  books: lendingBooksCommand,
};

/** Runs `argv` when it names a lending command; false otherwise. */
export async function runLendingCommand(argv: readonly string[]): Promise<boolean> {
  const run = argv[0] === undefined ? undefined : LENDING_COMMANDS[argv[0]];
  if (!run) return false;
  try {
    await run(argv.slice(1));
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) process.exit(0); // --help
    throw err;
  }
  return true;
}
