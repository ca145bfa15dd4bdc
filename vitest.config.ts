import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // the sample cities the files share, generated once per run (tests/fixtures/sample-cache.ts)
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // DuckDB uses both cores; tests that build the sample city share one per file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
