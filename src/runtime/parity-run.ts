/**
 * `npm run parity` (issue #11): the parity report of a live run (default: the latest live run in
 * the database) and its paper twin — a table on stdout and a self-contained HTML report in
 * `--out` (Chart.js inlined from the `chart.js` package, so the page needs no network) — and the
 * verdict against PARITY_PNL_TOLERANCE_PCT and PARITY_EXIT_AGREEMENT_PCT. Exit code 0 on `pass`,
 * 1 on `fail`, 2 when there is nothing to report (no live run, no twin).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema';
import { parityHtml, parityText } from '../parity/parity-report';
import { chartJsBundle } from '../report/html';
import type { ParityRecord } from '../parity/parity-record';
import { paritySummary, type ParitySummary } from '../parity/verdict';
import type { Repository } from '../persistence/repository';
import { openRepository } from '../persistence/open-repository';

/** Options of {@link runParity}. */
export interface ParityRunOptions {
  /** The live run id; default the latest live run. */
  readonly runId?: number;
  /** Directory of the HTML report (created). */
  readonly outDir: string;
}

/** A computed parity report. */
export interface ParityReport {
  readonly liveRunId: number;
  readonly shadowRunId: number;
  readonly rows: readonly ParityRecord[];
  readonly summary: ParitySummary;
  /** The terminal table. */
  readonly text: string;
  /** Path of the HTML report written. */
  readonly path: string;
}

/**
 * Builds the report of live run `runId` (default the latest) from `repo` and writes its HTML file
 * into `outDir`; a string saying why when there is nothing to report (no live run, no twin).
 */
export async function parityReport(
  repo: Repository,
  cfg: Pick<Config, 'PARITY_PNL_TOLERANCE_PCT' | 'PARITY_EXIT_AGREEMENT_PCT'>,
  o: ParityRunOptions,
): Promise<ParityReport | string> {
  const liveRunId = o.runId ?? (await repo.latestRun('live'));
  if (liveRunId === null)
    return 'no live run in the database: run `trade --mode live` (with its paper twin) first';
  const shadowRunId = await repo.linkedRunOf(liveRunId, 'shadow');
  if (shadowRunId === null) return `live run ${liveRunId} has no paper twin (was it run with --no-shadow?)`;
  const rows = await repo.loadParity(liveRunId);
  const summary = paritySummary(rows, {
    pnlTolerancePct: cfg.PARITY_PNL_TOLERANCE_PCT * 100,
    exitAgreementPct: cfg.PARITY_EXIT_AGREEMENT_PCT * 100,
  });
  const meta = { liveRunId, shadowRunId };
  mkdirSync(o.outDir, { recursive: true });
  const path = join(o.outDir, `parity-run-${liveRunId}.html`);
  writeFileSync(path, parityHtml(rows, summary, meta, chartJsBundle()));
  return { liveRunId, shadowRunId, rows, summary, text: parityText(rows, summary, meta), path };
}

/** Prints the report, writes the HTML file; returns the exit code (see the module comment). */
export async function runParity(cfg: Config, o: ParityRunOptions): Promise<number> {
  const repo = await openRepository(
    cfg.DATABASE_URL !== '' ? { databaseUrl: cfg.DATABASE_URL } : { dataDir: join(cfg.DATA_DIR, 'pglite') },
  );
  try {
    const r = await parityReport(repo, cfg, o);
    if (typeof r === 'string') {
      console.error(r);
      return 2;
    }
    console.log(r.text);
    console.log(`report: ${r.path}`);
    return r.summary.verdict === 'pass' ? 0 : 1;
  } finally {
    await repo.close();
  }
}
