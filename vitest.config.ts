import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // DuckDB uses both cores; tests that build the sample city share one per file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
