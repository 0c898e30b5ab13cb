/**
 * The parity verdict (issue #11: thresholds from the plan's success criteria, settings
 * `PARITY_PNL_TOLERANCE_PCT` default 10 and `PARITY_EXIT_AGREEMENT_PCT` default 90): live passes
 * when its total P&L is within ±tolerance of paper's, exit reasons agree on at least the
 * agreement share of closed pairs, and every paper exit has a live exit in the same window.
 * Pure; money in micro-USDC.
 */
import type { ParityRecord } from './parity-record';

/** Verdict thresholds. */
export interface ParityThresholds {
  /** Live total P&L within ±this % of paper's (of |paper P&L|; with paper P&L 0: live must be 0). */
  readonly pnlTolerancePct: number;
  /** Exit reasons agree on at least this % of the pairs where both sides exited. */
  readonly exitAgreementPct: number;
}

/** Totals and the verdict of a set of pairs. */
export interface ParitySummary {
  readonly pairs: number;
  readonly onlyLive: number;
  readonly onlyPaper: number;
  /** Total realised P&L of each side, micro-USDC (closed positions, pairs and one-sided rows). */
  readonly pnlLive: number;
  readonly pnlPaper: number;
  /** Pairs where both exited, and of them those whose reasons agree. */
  readonly exitsCompared: number;
  readonly exitsAgreeing: number;
  /** Paper exits with no live exit in the same window. */
  readonly paperExitsWithoutLive: number;
  readonly verdict: 'pass' | 'fail';
  /** One line per failed criterion (empty on pass). */
  readonly failures: readonly string[];
}

/**
 * Summarises parity rows (as stored, see `parity-record.ts`) and judges them against `t`.
 * @throws {RangeError} for a negative threshold.
 */
export function paritySummary(rows: readonly ParityRecord[], t: ParityThresholds): ParitySummary {
  if (t.pnlTolerancePct < 0 || t.exitAgreementPct < 0) throw new RangeError('parity thresholds must be ≥ 0');
  let pnlLive = 0;
  let pnlPaper = 0;
  let exitsCompared = 0;
  let exitsAgreeing = 0;
  const liveExitWindows = new Set<string>();
  for (const r of rows) {
    pnlLive += r.livePnlUsdc ?? 0;
    pnlPaper += r.paperPnlUsdc ?? 0;
    if (r.liveExitReason !== null) liveExitWindows.add(`${r.crypto}:${r.windowSec}:${r.windowEpoch}`);
    if (r.reasonAgrees !== null) {
      exitsCompared += 1;
      if (r.reasonAgrees) exitsAgreeing += 1;
    }
  }
  let paperExitsWithoutLive = 0;
  for (const r of rows)
    if (r.paperExitReason !== null && !liveExitWindows.has(`${r.crypto}:${r.windowSec}:${r.windowEpoch}`))
      paperExitsWithoutLive += 1;
  const failures: string[] = [];
  const allowed = (Math.abs(pnlPaper) * t.pnlTolerancePct) / 100;
  if (Math.abs(pnlLive - pnlPaper) > allowed)
    failures.push(
      `P&L: live ${pnlLive / 1e6} vs paper ${pnlPaper / 1e6} USDC, outside ±${t.pnlTolerancePct} %`,
    );
  const agreePct = exitsCompared === 0 ? 100 : (exitsAgreeing / exitsCompared) * 100;
  if (agreePct < t.exitAgreementPct)
    failures.push(
      `exit reasons agree on ${agreePct.toFixed(1)} % of ${exitsCompared} pairs, below ${t.exitAgreementPct} %`,
    );
  if (paperExitsWithoutLive > 0)
    failures.push(`${paperExitsWithoutLive} paper exit(s) with no live exit in the same window`);
  return {
    pairs: rows.filter((r) => r.kind === 'pair').length,
    onlyLive: rows.filter((r) => r.kind === 'only_live').length,
    onlyPaper: rows.filter((r) => r.kind === 'only_paper').length,
    pnlLive,
    pnlPaper,
    exitsCompared,
    exitsAgreeing,
    paperExitsWithoutLive,
    verdict: failures.length === 0 ? 'pass' : 'fail',
    failures,
  };
}
