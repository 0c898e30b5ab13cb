/**
 * Worker-thread entry of the exit-policy comparison (issue #12): runs each {@link CompareJob} it is
 * sent and posts back `{ ok: true, result }` or `{ ok: false, error }` (the message only).
 */
import { parentPort } from 'node:worker_threads';
import { runCompareJob, type CompareJob } from './compare-job';

parentPort?.on('message', (job: CompareJob) => {
  runCompareJob(job).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (err: unknown) =>
      parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
