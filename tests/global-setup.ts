// Once per test run (vitest globalSetup): the folder where tests/fixtures/sample-cache.ts keeps the
// sample cities the test files share, removed when the run ends.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govmon-test-samples-'));
  project.provide('sampleCache', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
