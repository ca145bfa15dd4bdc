// Worker thread entry of the system-page pool (render-pool.ts): rebuild the context from the job
// it is given, render its share of the system pages, report each page. Runs compiled (dist/).

import { parentPort, workerData } from 'node:worker_threads';
import { contextOf, renderSystemPages, type RenderJob } from './render-pool.ts';

const job = workerData as RenderJob;
renderSystemPages(contextOf(job), job.ids, job.target, job.sharded, (page) => parentPort?.postMessage({ page }));
