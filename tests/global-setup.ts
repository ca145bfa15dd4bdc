// Once per test run (vitest globalSetup): the folder where tests/fixtures/sample-cache.ts keeps the
// sample cities the test files share, removed when the run ends; and the Prometheus (with its
// node_exporter) of tests/prometheus.test.ts, started now so that it has scraped for the minute its
// template queries need by the time that file runs, instead of the file waiting for it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { shanghaiDate } from '../core/clock.ts';
import { HAVE_PROMETHEUS, startPrometheus, stopPrometheus, type Server } from './fixtures/prometheus.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the run's Prometheus and the day (Asia/Shanghai) it started, where the Debian packages are installed */
    prometheus: { promUrl: string; instance: string; day: string } | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govmon-test-samples-'));
  project.provide('sampleCache', dir);
  let prom: Server | undefined;
  if (HAVE_PROMETHEUS) {
    const day = shanghaiDate(new Date());
    prom = await startPrometheus();
    project.provide('prometheus', { promUrl: prom.promUrl, instance: prom.instance, day });
  } else project.provide('prometheus', null);
  return async () => {
    await stopPrometheus(prom);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
