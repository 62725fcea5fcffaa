import { Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { libraryTopic } from '../../aggregates/library/contract.js';
import { DEMO_SETS, loadDemoLibrary } from '../../aggregates/library/services.js';
import { NamespaceSchema } from '../../aggregates/lending/contract.js';
import {
  addConnectionOptions,
  openTransportBus,
  transportOf,
  UsageError,
  type ConnectionFlags,
} from './lendingOptions.js';

export const LIBRARY_DESCRIPTION =
  "library data commands: load-demo appends the demo catalog and patrons (--seed: seed 004's own)";

/**
 * `bookshelf library load-demo [--seed] [--broker host:port | -a redis] [--namespace p]`: appends the demo catalog
 * (about 20 public-domain books, 2 copies each) and the demo patrons to the library topic; with `--seed`, seed
 * 004's own demo data instead (its 20 Project Gutenberg books, 2 copies each, and its 6 patrons). Idempotent
 * (upserts by id).
 */
export async function runLibraryCommand(argv: readonly string[]): Promise<void> {
  const program = addConnectionOptions(
    new Command('bookshelf library')
      .description(LIBRARY_DESCRIPTION)
      .argument('<action>', 'load-demo')
      .option('--seed', "seed 004's demo data (20 books x 2 copies, 6 patrons) instead of ours"),
  ).exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) process.exit(0);
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const [action] = program.processedArgs as [string];
  if (action !== 'load-demo') throw new UsageError(`library: unknown action ${JSON.stringify(action)} (load-demo)`);
  const flags = program.opts<ConnectionFlags & { namespace: string; seed?: boolean }>();
  const namespace = NamespaceSchema.safeParse(flags.namespace);
  if (!namespace.success) throw new UsageError(`--namespace ${namespace.error.issues[0]?.message ?? 'is invalid'}`);
  const bus = await openTransportBus(transportOf(flags), 'bookshelf-library', pino({ level: 'silent' }));
  try {
    const topic = libraryTopic(namespace.data);
    await bus.ensureTopic(topic, { partitions: 1 });
    const set = flags.seed ? 'seed' : 'default';
    await loadDemoLibrary(bus, topic, { producer: 'bookshelf-library', clock: () => new Date() }, undefined, set);
    const { books, patrons } = DEMO_SETS[set];
    process.stdout.write(`OK: ${books.length} books and ${patrons.length} patrons on ${topic}\n`);
  } finally {
    await bus.close();
  }
}
