import type { TestProject } from 'vitest/node';
import {
  parseSwitch,
  startStack,
  type RunningStack,
  type StackAddresses,
  type StackMode,
} from '../../docker/stack/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: StackAddresses;
    /** `external` when the tests use servers somebody else runs (their settings are not ours to check). */
    infraMode: StackMode;
  }
}

// The integration and e2e projects both name this file and vitest loads it once per project, in the main
// process: share one stack through globalThis so a run that has both starts the servers once.
interface Shared {
  running?: Promise<RunningStack>;
  users: number;
}
const KEY = Symbol.for('bookshelf.test.infra');
const shared = ((globalThis as Record<symbol, Shared>)[KEY] ??= { users: 0 });

export default async function setup(project: TestProject) {
  shared.running ??= startStack(parseSwitch(process.env.BOOKSHELF_INFRA), { reapWithOwner: true });
  shared.users++;
  const stack = await shared.running;
  project.provide('infra', stack.addresses);
  project.provide('infraMode', stack.mode);
  if (shared.users === 1) process.stderr.write(`[bookshelf-infra] ${stack.mode}: ${JSON.stringify(stack.addresses)}\n`);
  return async () => {
    if (--shared.users === 0) {
      shared.running = undefined;
      await stack.stop();
    }
  };
}
