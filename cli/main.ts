#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { stackCommand } from './commands/stack.js';

const program = new Command('bookshelf')
  .description('Event-driven CQRS microservices on Kafka, Redis Streams or an in-memory bus, discovered through Consul')
  .showHelpAfterError()
  .exitOverride();

stackCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  // One clear line, non-zero exit: the contract of every bookshelf command.
  console.error(`bookshelf: ${(err as Error).message.split('\n')[0]}`);
  process.exit(1);
}
