import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // the sample cities the files share, generated once per run (tests/fixtures/sample-cache.ts)
    globalSetup: ['tests/global-setup.ts'],
    // Hang guards only, never a measure of speed (no test asserts how long anything took): generous
    // enough for a test that spawns the CLI ten times while another process keeps both cores busy.
    testTimeout: 600_000,
    hookTimeout: 900_000,
    // DuckDB uses both cores; tests that build the sample city share one per file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
