import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files first, so that the two workers finish together instead of one running a long
 * file alone at the end; and the first file to need the sample city (tests/fixtures/sample-cache.ts)
 * beside files that need none, so that no worker waits for another to build it. Not listed, so
 * after these: tests/prometheus.test.ts, whose Prometheus (started by tests/global-setup.ts) then
 * has the minute of samples it needs. The order of the files Vitest has timed before
 * (node_modules/.vite/vitest) wins over this list; a fresh clone has no timings, and would run the
 * largest files first.
 */
const FIRST = [
  'tests/dashboard-e2e.test.ts', // builds the default sample city, ingested
  'tests/crash.test.ts',
  'tests/ingest-formats.test.ts',
  'tests/province.test.ts', // builds 云川市 of 150 systems and 河晟市
  'tests/backup.test.ts',
  'tests/daemon.test.ts',
  'tests/reproducibility.test.ts',
  'tests/classified.test.ts',
  'tests/portal-e2e.test.ts',
  'tests/cli-messages.test.ts',
  'tests/generator.test.ts',
  'tests/monthly-run.test.ts',
  'tests/portal-accounts.test.ts',
  'tests/ingest-semantics.test.ts',
  'tests/dashboard.test.ts',
  'tests/scheduler.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const timed = files.some((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path.relative(root, f.moduleId)}`));
    if (timed) return sorted;
    const rank = (f: TestSpecification) => {
      const i = FIRST.indexOf(path.relative(root, f.moduleId));
      return i < 0 ? FIRST.length : i;
    };
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

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
    // Each worker process runs its files one after another with the modules it has loaded (DuckDB's
    // binding, ExcelJS, Vega, the product's own modules): importing them again for each of the 51
    // files cost about a tenth of the suite's CPU time. The test files themselves are still loaded
    // afresh for each file; no product module keeps state a test could leave behind (the caches
    // are of formatters and parsed model files), and every test writes only into folders and
    // databases of its own.
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
