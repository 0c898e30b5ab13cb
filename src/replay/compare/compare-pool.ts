/**
 * Runs comparison jobs (issue #12) on the machine's cores: a pool of `worker_threads` workers, one
 * job at a time each, results in job order. `workers = 0` runs them one after another in this
 * thread (tests under jest, whose transform a worker thread would not have).
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runCompareJob, type CompareJob, type CompareJobResult } from './compare-job';

/**
 * A worker running `compare-worker` beside this file: the compiled `.js` as is; from the
 * TypeScript sources (tsx) through tsx's require hook, which a worker thread does not inherit.
 */
function newWorker(): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `compare-worker${ext}`);
  if (ext !== '.ts') return new Worker(file);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true });
}

type Reply = { ok: true; result: CompareJobResult } | { ok: false; error: string };

/**
 * Runs `jobs` with `workers` threads (0: in this thread); `onDone` gets the count of jobs done.
 * @throws {Error} the first job's error (`<set> on <input>: <message>`); other workers are stopped.
 */
export async function runJobs(
  jobs: readonly CompareJob[],
  workers: number,
  onDone: (done: number) => void = () => undefined,
): Promise<CompareJobResult[]> {
  const results: CompareJobResult[] = new Array<CompareJobResult>(jobs.length);
  let done = 0;
  if (workers <= 0) {
    for (const [i, job] of jobs.entries()) {
      results[i] = await runCompareJob(job);
      onDone((done += 1));
    }
    return results;
  }
  let next = 0;
  const pool = Array.from({ length: Math.min(workers, jobs.length) }, () => newWorker());
  try {
    await Promise.all(
      pool.map(async (w) => {
        while (next < jobs.length) {
          const i = next++;
          const job = jobs[i]!;
          const reply = await new Promise<Reply>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage(job);
          });
          w.removeAllListeners('error');
          if (!reply.ok) throw new Error(`${job.setName} on ${job.input}: ${reply.error}`);
          results[i] = reply.result;
          onDone((done += 1));
        }
      }),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
