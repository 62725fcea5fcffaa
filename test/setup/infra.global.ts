import type { TestProject } from 'vitest/node';
import { parseSwitch, startStack, type RunningStack, type StackAddresses } from '../../docker/stack/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: StackAddresses;
  }
}

// Both the integration and e2e projects name this file; vitest runs each globalSetup once per project,
// so the stack is shared through a module-level promise when both run in one process.
let running: Promise<RunningStack> | undefined;
let users = 0;

export default async function setup(project: TestProject) {
  running ??= startStack(parseSwitch(process.env.BOOKSHELF_INFRA), { reapWithOwner: true });
  users++;
  const stack = await running;
  project.provide('infra', stack.addresses);
  process.stderr.write(`[bookshelf-infra] ${stack.mode}: ${JSON.stringify(stack.addresses)}\n`);
  return async () => {
    if (--users === 0) await stack.stop();
  };
}
