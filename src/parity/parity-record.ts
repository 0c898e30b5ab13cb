/**
 * One row of the `parity` table (issue #11): a pair of a live position and its paper twin's (or a
 * position of one side only), with what each side did and the deltas between them. Written when
 * both sides are closed, or one side is closed and the other never opened. Units: prices
 * micro-USDC a share, money micro-USDC, shares micro-shares, times ms; ticks as numbers.
 */
import type { ParityPair } from './pairing';

/** A stored parity row. */
export interface ParityRecord {
  readonly positionKey: string;
  readonly kind: ParityPair['kind'];
  /** For one-sided rows: why, when known (`OnlyReason`). */
  readonly reason: string | null;
  readonly strategy: string;
  readonly crypto: string;
  readonly windowSec: number;
  readonly windowEpoch: number;
  readonly liveEntryTimeMs: number | null;
  readonly paperEntryTimeMs: number | null;
  readonly liveExitTimeMs: number | null;
  readonly paperExitTimeMs: number | null;
  readonly liveEntryPrice: number | null;
  readonly paperEntryPrice: number | null;
  readonly liveExitPrice: number | null;
  readonly paperExitPrice: number | null;
  readonly liveShares: number | null;
  readonly paperShares: number | null;
  /** Entry plus exit fees, micro-USDC. */
  readonly liveFeesUsdc: number | null;
  readonly paperFeesUsdc: number | null;
  readonly liveExitReason: string | null;
  readonly paperExitReason: string | null;
  readonly liveExitAttempts: number | null;
  readonly paperExitAttempts: number | null;
  readonly livePnlUsdc: number | null;
  readonly paperPnlUsdc: number | null;
  readonly entrySlippage: number | null;
  readonly entrySlippageTicks: number | null;
  readonly exitSlippage: number | null;
  readonly exitSlippageTicks: number | null;
  readonly pnlDiffUsdc: number | null;
  readonly reasonAgrees: boolean | null;
  readonly latencyMs: number | null;
}

/** The stored row of a pair (see {@link ParityRecord}). */
export function parityRecordOf(r: ParityPair): ParityRecord {
  const l = r.live;
  const p = r.paper;
  const fees = (x: typeof l): number | null => (x === null ? null : x.entryFeeUsdc + (x.exitFeeUsdc ?? 0));
  return {
    positionKey: r.key,
    kind: r.kind,
    reason: r.reason,
    strategy: r.strategy,
    crypto: r.crypto,
    windowSec: r.windowSec,
    windowEpoch: r.windowEpoch,
    liveEntryTimeMs: l?.entryTimeMs ?? null,
    paperEntryTimeMs: p?.entryTimeMs ?? null,
    liveExitTimeMs: l?.exitTimeMs ?? null,
    paperExitTimeMs: p?.exitTimeMs ?? null,
    liveEntryPrice: l?.entryPrice ?? null,
    paperEntryPrice: p?.entryPrice ?? null,
    liveExitPrice: l?.exitPrice ?? null,
    paperExitPrice: p?.exitPrice ?? null,
    liveShares: l?.shares ?? null,
    paperShares: p?.shares ?? null,
    liveFeesUsdc: fees(l),
    paperFeesUsdc: fees(p),
    liveExitReason: l?.exitReason ?? null,
    paperExitReason: p?.exitReason ?? null,
    liveExitAttempts: l?.exitAttempts ?? null,
    paperExitAttempts: p?.exitAttempts ?? null,
    livePnlUsdc: l?.pnlUsdc ?? null,
    paperPnlUsdc: p?.pnlUsdc ?? null,
    entrySlippage: r.deltas.entrySlippage,
    entrySlippageTicks: r.deltas.entrySlippageTicks,
    exitSlippage: r.deltas.exitSlippage,
    exitSlippageTicks: r.deltas.exitSlippageTicks,
    pnlDiffUsdc: r.deltas.pnlDiff,
    reasonAgrees: r.deltas.reasonAgrees,
    latencyMs: r.deltas.liveLatencyMs,
  };
}

/** True when a row disagrees: one-sided, exit reasons differ, or a slippage of a tick or more. */
export function disagrees(r: ParityRecord): boolean {
  if (r.kind !== 'pair') return true;
  if (r.reasonAgrees === false) return true;
  return Math.abs(r.entrySlippageTicks ?? 0) >= 1 || Math.abs(r.exitSlippageTicks ?? 0) >= 1;
}
