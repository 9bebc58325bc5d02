import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['plugin/**/*.test.ts', 'executors/**/*.test.ts', 'generators/**/*.test.ts', 'cli/**/*.test.ts'],
          environment: 'node',
          // Some unit tests load TypeScript's compiler (seconds on a loaded 2-core CI machine).
          testTimeout: 30_000,
          // Unit tests first, then e2e (which has its own worker limit).
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['e2e/rig/global-setup.ts'],
          // Each case runs real `nx` processes; the template install happens once in globalSetup.
          testTimeout: 240_000,
          hookTimeout: 900_000,
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
