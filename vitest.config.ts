import { defineConfig } from 'vitest/config';

// Three runs: `unit` needs nothing; `integration` and `e2e` get real Kafka, Consul and Redis from one
// globalSetup (see test/setup/infra.global.ts and BOOKSHELF_INFRA).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**', '**/*.int.test.ts', '**/*.e2e.test.ts'],
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
    ],
  },
});
