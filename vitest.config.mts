import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The default output, then every skipped test with the reason it was skipped.
    reporters: ['default', './e2e/rig/skip-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['plugin/**/*.test.ts', 'executors/**/*.test.ts', 'generators/**/*.test.ts', 'cli/**/*.test.ts', 'e2e/rig/**/*.test.ts'],
          environment: 'node',
          // Some unit tests build real files, processes or TypeScript programs: on a shared two-core machine
          // under load (load average 20 was seen), Vitest's 5 s default failed tests that pass in 1 s.
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
