import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { ack, skip, type EventBus, type Subscription } from '../../eventlib/index.js';
import { parseLendingEvent, validateLendingInput, type LendingOutcome } from '../../aggregates/lending/contract.js';
import { ensureLendingTopics, queueLending } from '../../aggregates/lending/services.js';
import { describeOutcome } from '../../aggregates/lending/contract.js';
import { lendingTopics, type LendingTopics } from '../../aggregates/lending/contract.js';
import {
  addConnectionOptions,
  openTransportBus,
  transportOf,
  UsageError,
  type ConnectionFlags,
} from './lendingOptions.js';

interface BooksFlags extends ConnectionFlags {
  wait?: boolean;
  requestId?: string;
  timeoutMs: string;
}

export const BOOKS_DESCRIPTION = 'request or return books (SPEC §6): prints OK once the request is durably queued';

/**
 * `bookshelf books request|return <user> <book> [book ...]` (the seed's get_books.py): validates, queues the
 * command durably and prints `OK`; with `--wait`, then prints the outcome. Bad input: one line, exit 2, nothing
 * queued.
 */
export async function lendingBooksCommand(argv: readonly string[]): Promise<void> {
  const program = addConnectionOptions(
    new Command('bookshelf books')
      .description(BOOKS_DESCRIPTION)
      .argument('<action>', 'request or return')
      .argument('<user>', 'user name')
      .argument('<books...>', 'book ids')
      .option('--wait', 'wait for the outcome and print it')
      .option('--request-id <id>', 'the request id (default: a new uuid); resending an id is idempotent')
      .option('--timeout-ms <ms>', 'how long --wait waits', '30000'),
  )
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  program.parse([...argv], { from: 'user' });
  const flags = program.opts<BooksFlags>();
  const [action, user, books] = program.processedArgs as [string, string, string[]];
  if (action !== 'request' && action !== 'return') {
    throw new UsageError(`books: the action must be request or return (got ${JSON.stringify(action)})`);
  }
  const valid = validateLendingInput({ user, books });
  if (!valid.ok) throw new UsageError(valid.error.message);
  const transport = transportOf(flags);
  const topics = lendingTopics(flags.namespace);
  const log = pino({ level: 'silent' });
  const bus = await openTransportBus(transport, 'bookshelf-books', log);
  try {
    await ensureLendingTopics(bus, topics);
    const requestId = flags.requestId ?? randomUUID();
    const waiting = flags.wait ? await watchOutcome(bus, topics, requestId) : undefined;
    try {
      const queued = await queueLending(bus, topics, action, valid.value, {
        producer: 'bookshelf-books',
        clock: () => new Date(),
        requestId,
      });
      if (!queued.ok) throw new UsageError(queued.error.message);
      process.stdout.write('OK\n');
      if (waiting) {
        const outcome = await waiting.outcome(Number(flags.timeoutMs));
        process.stdout.write(`${describeOutcome(outcome)}\n`);
      }
    } finally {
      await waiting?.close();
    }
  } finally {
    await bus.close();
  }
}

/** Subscribes to the outcome events before the command is queued, so the outcome cannot be missed. */
async function watchOutcome(bus: EventBus, topics: LendingTopics, requestId: string) {
  let found: ((o: LendingOutcome) => void) | undefined;
  const result = new Promise<LendingOutcome>((resolve) => (found = resolve));
  const subscription: Subscription = await bus.subscribe({
    topics: [topics.events],
    group: `bookshelf-books-${randomUUID()}`,
    from: 'beginning',
    handler: (event) => {
      const parsed = parseLendingEvent(event);
      if (
        parsed &&
        (parsed.type === 'books-lent' || parsed.type === 'lending-denied' || parsed.type === 'books-returned') &&
        parsed.data.requestId === requestId
      ) {
        found?.(parsed);
        return ack();
      }
      return skip();
    },
  });
  return {
    async outcome(timeoutMs: number): Promise<LendingOutcome> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no outcome for request ${requestId} within ${timeoutMs} ms (it stays queued)`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([result, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => subscription.close(),
  };
}
