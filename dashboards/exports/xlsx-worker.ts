// Worker thread entry of xlsx-thread.ts: write each list it is sent, one after the other, and
// answer with what writeXlsxExport returned or the error it threw. Runs compiled (dist/).

import { parentPort } from 'node:worker_threads';
import { EXPORTS } from './kinds.ts';
import { writeXlsxExport } from './write.ts';
import type { XlsxJob, XlsxReply } from './xlsx-thread.ts';
import { isUserError } from '../../core/errors.ts';

let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: XlsxJob) => {
  queue = queue.then(async () => {
    let reply: XlsxReply;
    try {
      reply = { id: job.id, result: await writeXlsxExport({ ...job.data, spec: EXPORTS[job.kind] }, job.file) };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply = { id: job.id, error: { message: err.message, name: err.name, exitCode: isUserError(err) ? err.exitCode : undefined } };
    }
    parentPort?.postMessage(reply);
  });
});
