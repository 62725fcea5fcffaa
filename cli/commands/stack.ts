import type { Command } from 'commander';
import { redisFsyncOf } from '../../docker/stack/local.js';
import { stackDown, stackStatus, stackUp, type StackStatus } from '../../docker/stack/persistent.js';

function print(status: StackStatus): void {
  if (!status.state) {
    console.log('stack: not running');
    return;
  }
  console.log(
    `stack: ${status.running ? 'running' : 'stopped'} (${status.state.mode}, since ${status.state.startedAt})`,
  );
  for (const c of status.components) {
    console.log(`  ${c.name.padEnd(7)} ${c.alive ? 'up  ' : 'down'}  ${c.address}${c.pid ? `  pid ${c.pid}` : ''}`);
  }
  const a = status.state.addresses;
  console.log('\nPoint the tests or the services at it with:');
  console.log(
    `  export KAFKA_BROKERS=${a.kafkaBrokers} CONSUL_HTTP_ADDR=${a.consulAddr} CONSUL_DNS_PORT=${a.consulDnsPort} REDIS_URL=${a.redisUrl}`,
  );
}

export const STACK_DESCRIPTION = 'run Kafka, Consul and Redis locally (processes, or Docker when it answers)';

export function stackCommand(program: Command): void {
  const stack = program.command('stack').description(STACK_DESCRIPTION);
  stack
    .command('up')
    .description('start the stack in the background (idempotent)')
    .option('--mode <mode>', 'auto | local | docker', 'auto')
    .option(
      '--redis-fsync <policy>',
      'Redis AOF fsync: everysec (default) or always (nothing acknowledged is lost); env BOOKSHELF_REDIS_FSYNC',
    )
    .action(async (opts: { mode: string; redisFsync?: string }) => {
      if (!['auto', 'local', 'docker'].includes(opts.mode)) {
        throw new Error(`--mode must be auto, local or docker, got "${opts.mode}"`);
      }
      print(await stackUp(opts.mode as 'auto' | 'local' | 'docker', redisFsyncOf(opts.redisFsync)));
    });
  stack
    .command('down')
    .description('stop the stack and delete its data')
    .action(async () => {
      console.log((await stackDown()) ? 'stack: stopped' : 'stack: not running');
    });
  stack
    .command('status')
    .description('show what runs where')
    .action(() => print(stackStatus()));
}
