/**
 * `replay --compare <policies.json>` (issue #12): runs the same recorded input once per exit-policy
 * set and compares them. Each input path (file or directory) is split into its tick files; every
 * (set, file) pair is a job, run in parallel on the machine's cores (`worker_threads`) with a
 * progress bar on a terminal. Writes each set's `trades.jsonl` (partial exits as their own lines)
 * under `<out>/<set>/`, and `<out>/report.html`; returns the figures per set.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { ConfigError } from '../../core/errors';
import { tickFilesOf } from '../../feed/input';
import { policyResolver } from '../../trader/exits/policy-set';
import { compareTrades } from '../../trader/position';
import { chartJsBundle } from '../../report/html';
import { writeTradesFile } from '../trades-file';
import type { CompareJob } from './compare-job';
import { positionOutcomes, setMetrics, type SetMetrics } from './compare-metrics';
import { runJobs } from './compare-pool';
import { compareHtml, compareText, type SetReport } from './compare-report';

/** Options of {@link runCompare}. */
export interface CompareOptions {
  /** Path of the policy sets file: a JSON array of sets (`policy-set.ts`), each with a unique `name`. */
  readonly setsPath: string;
  /** Input files or directories (all their tick files). */
  readonly inputs: readonly string[];
  /** Output directory. */
  readonly outDir: string;
  /** Worker threads (default: the machine's cores; 0 = in this thread). */
  readonly workers?: number;
  readonly configPath?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Show a progress bar on a terminal (default true). */
  readonly progress?: boolean;
}

/** What a comparison produced. */
export interface CompareResult {
  readonly sets: readonly SetReport[];
  readonly metrics: readonly SetMetrics[];
  readonly text: string;
  readonly reportPath: string;
  readonly files: readonly string[];
  readonly jobs: number;
  readonly workers: number;
  /** Wall time of the jobs, ms. */
  readonly runtimeMs: number;
}

/** A named set as read from the sets file. */
interface NamedSet {
  readonly name: string;
  readonly data: unknown;
  /** LOCK_TRIGGER_USDC of its `profit_lock`, when it has one. */
  readonly lockTrigger: number | null;
}

/**
 * Reads and checks the sets file: a JSON array (or `{ "sets": [...] }`) of policy sets with unique
 * names made of letters, digits, `_`, `.`, `-`.
 * @throws {ConfigError} naming the set and field at fault.
 */
export function readPolicySets(path: string): NamedSet[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`policy sets file ${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { sets?: unknown } | null)?.sets;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError(`policy sets file ${path}: expected a non-empty JSON array of policy sets`);
  const seen = new Set<string>();
  return list.map((data: unknown, i) => {
    const name = (data as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') throw new ConfigError(`policy sets file ${path}: set ${i} has no "name"`);
    if (seen.has(name)) throw new ConfigError(`policy sets file ${path}: two sets are named ${name}`);
    seen.add(name);
    let set;
    try {
      set = policyResolver(data)('');
    } catch (err) {
      throw new ConfigError(`policy sets file ${path}: ${(err as Error).message}`);
    }
    const lock = set.policies.some((p) => p.name === 'profit_lock')
      ? (((data as { policies?: { profit_lock?: { LOCK_TRIGGER_USDC?: number } } }).policies?.profit_lock
          ?.LOCK_TRIGGER_USDC as number | undefined) ?? 0.1)
      : null;
    return { name, data, lockTrigger: lock };
  });
}

/**
 * Runs the comparison.
 * @throws {ConfigError} on a bad sets file or settings; {InputError} on unreadable input; the
 *   first failing job's error.
 */
export async function runCompare(o: CompareOptions): Promise<CompareResult> {
  const sets = readPolicySets(o.setsPath);
  const files: string[] = [];
  for (const input of o.inputs) files.push(...(await tickFilesOf(input)));
  const jobs: CompareJob[] = sets.flatMap((s) =>
    files.map((input) => ({ input, setName: s.name, setData: s.data, env: o.env, configPath: o.configPath })),
  );
  const workers = o.workers ?? Math.min(availableParallelism(), jobs.length);
  const bar =
    o.progress !== false && process.stderr.isTTY === true
      ? new SingleBar({
          stream: process.stderr,
          format: 'compare [{bar}] {value}/{total} jobs | {eta}s left',
        })
      : null;
  bar?.start(jobs.length, 0);
  const started = Date.now();
  const results = await runJobs(jobs, workers, (n) => bar?.update(n)).finally(() => bar?.stop());
  const runtimeMs = Date.now() - started;
  const reports: SetReport[] = sets.map((s) => {
    const mine = results.filter((r) => r.setName === s.name);
    const trades = mine.flatMap((r) => r.trades).sort(compareTrades);
    const traces = mine.flatMap((r) => r.traces);
    writeTradesFile(join(o.outDir, s.name, 'trades.jsonl'), trades);
    const outcomes = positionOutcomes(trades, traces, s.lockTrigger);
    return { metrics: setMetrics(s.name, outcomes), outcomes, traces };
  });
  mkdirSync(o.outDir, { recursive: true });
  const reportPath = join(o.outDir, 'report.html');
  writeFileSync(reportPath, compareHtml(reports, { inputs: [...o.inputs], runtimeMs }, chartJsBundle()));
  return {
    sets: reports,
    metrics: reports.map((r) => r.metrics),
    text: compareText(reports),
    reportPath,
    files,
    jobs: jobs.length,
    workers,
    runtimeMs,
  };
}
