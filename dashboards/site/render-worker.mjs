// Worker thread entry of the system-page pool (render-pool.ts). Plain JS so that it starts under
// any runner; the TypeScript is loaded through tsx, as the CLI itself is.
import { tsImport } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

const pool = await tsImport('./render-pool.ts', import.meta.url);
const ctx = pool.contextOf(workerData);
pool.renderSystemPages(ctx, workerData.ids, workerData.dir, () => parentPort.postMessage({ page: true }));
