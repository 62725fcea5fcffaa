import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// examples/ import the package by its public subpaths, as a user would; here they resolve to the sources.
const root = fileURLToPath(new URL('.', import.meta.url));
const publicSubpaths = [
  { find: /^bookshelf\/(eventlib|discolib|restlib|platform)$/, replacement: `${root}$1/index.ts` },
  { find: /^bookshelf\/testing$/, replacement: `${root}platform/testing/index.ts` },
];

// Four groups, one after the other: `unit` needs nothing; `integration` and `e2e` get real Kafka, Consul and
// Redis from one globalSetup (see test/setup/infra.global.ts and BOOKSHELF_INFRA); `faults` starts stacks of its
// own, because it kills their servers.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: publicSubpaths },
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**', '**/*.int.test.ts', '**/*.e2e.test.ts', '**/*.fault.test.ts'],
          // Some unit tests run a tool (dependency-cruiser, tsc, the CLI): vitest's 5 s default failed them on a
          // loaded machine (load average 14), which says nothing about the code.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          // Unit, then integration, then e2e: the groups run one after the other on the machine's two cores.
          sequence: { groupOrder: 1 },
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**'],
          globalSetup: ['test/setup/infra.global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The machine has two cores and one broker: keep parallel files low so timeouts stay meaningful.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**'],
          globalSetup: ['test/setup/infra.global.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
        },
      },
      {
        test: {
          // Each fault file starts (and kills) a stack of its own; nothing else runs beside it.
          name: 'faults',
          sequence: { groupOrder: 3 },
          include: ['test/faults/**/*.fault.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
