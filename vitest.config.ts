import { defineConfig } from 'vitest/config';

// Three runs: `unit` needs nothing; `integration` and `e2e` get real Kafka, Consul and Redis from one
// globalSetup (see test/setup/infra.global.ts and BOOKSHELF_INFRA).
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**', '**/*.int.test.ts', '**/*.e2e.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
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
