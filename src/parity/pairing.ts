/**
 * Paper parity, the pure core (issue #11): pairs the live trader's positions with the paper twin's
 * and measures how far they differ. A live and a paper position pair when they are the same
 * strategy's position in the same window with the same sequence number — the same position key,
 * since both traders derive keys the same way (`core/ids.ts`). A position on one side only is a
 * mismatch of its own kind (`only_live`, `only_paper`) with the reason when it is known.
 * Units: prices micro-USDC per share, money micro-USDC, shares micro-shares, times ms.
 */
import { RECONCILED_STRATEGY } from '../trader/corrections';
import type { PositionRecord } from '../trader/journal-records';

/** One side of a pair: a position record plus what parity reads beyond it. */
export interface ParitySide {
  readonly position: PositionRecord;
  /** Time of the tick whose signal opened the position, ms (latency to the live fill). */
  readonly decidedMs?: number;
}

/** Why a position exists on one side only, when known (issue #11). */
export type OnlyReason =
  'entry_killed' | 'entry_rejected' | 'stale_book' | 'risk_limit' | 'reconciled_adoption' | 'unknown';

/** What was compared for a pair (`null` where one side has no value, e.g. still open). */
export interface PairDeltas {
  /** Live average entry price − paper's, micro-USDC a share (positive: live paid more). */
  readonly entrySlippage: number | null;
  /** `entrySlippage` in ticks of `tickSize`. */
  readonly entrySlippageTicks: number | null;
  /** Paper average exit price − live's, micro-USDC a share (positive: live sold lower). */
  readonly exitSlippage: number | null;
  /** `exitSlippage` in ticks. */
  readonly exitSlippageTicks: number | null;
  /** Live P&L − paper P&L, micro-USDC. */
  readonly pnlDiff: number | null;
  /** True when both exited for the same reason. */
  readonly reasonAgrees: boolean | null;
  /** Deciding tick → live entry fill, ms. */
  readonly liveLatencyMs: number | null;
}

/** One row of the parity table. */
export interface ParityPair {
  /** The position key both sides share. */
  readonly key: string;
  readonly strategy: string;
  readonly crypto: string;
  readonly windowSec: number;
  readonly windowEpoch: number;
  readonly kind: 'pair' | 'only_live' | 'only_paper';
  readonly live: PositionRecord | null;
  readonly paper: PositionRecord | null;
  /** For one-sided rows: why, when known. */
  readonly reason: OnlyReason | null;
  readonly deltas: PairDeltas;
}

const NO_DELTAS: PairDeltas = {
  entrySlippage: null,
  entrySlippageTicks: null,
  exitSlippage: null,
  exitSlippageTicks: null,
  pnlDiff: null,
  reasonAgrees: null,
  liveLatencyMs: null,
};

/** Rounds a tick count to 2 decimals. */
const inTicks = (micros: number, tickSize: number): number => Math.round((micros / tickSize) * 100) / 100;

/**
 * The deltas of a pair (issue #11): entry and exit slippage (micro-USDC a share and ticks of
 * `tickSize`, micro-USDC, default 0.01), P&L difference, exit-reason agreement, and the latency
 * from the deciding tick to the live entry fill.
 * @throws {RangeError} when `tickSize` is not positive.
 */
export function pairDeltas(live: ParitySide, paper: ParitySide, tickSize = 10_000): PairDeltas {
  if (!(tickSize > 0)) throw new RangeError(`tick size must be > 0, got ${tickSize}`);
  const l = live.position;
  const p = paper.position;
  const entrySlippage = l.entryPrice !== null && p.entryPrice !== null ? l.entryPrice - p.entryPrice : null;
  const exitSlippage = l.exitPrice !== null && p.exitPrice !== null ? p.exitPrice - l.exitPrice : null;
  const decided = live.decidedMs ?? paper.decidedMs;
  return {
    entrySlippage,
    entrySlippageTicks: entrySlippage === null ? null : inTicks(entrySlippage, tickSize),
    exitSlippage,
    exitSlippageTicks: exitSlippage === null ? null : inTicks(exitSlippage, tickSize),
    pnlDiff: l.pnlUsdc !== null && p.pnlUsdc !== null ? l.pnlUsdc - p.pnlUsdc : null,
    reasonAgrees: l.exitReason !== null && p.exitReason !== null ? l.exitReason === p.exitReason : null,
    liveLatencyMs: decided !== undefined && l.entryTimeMs !== null ? l.entryTimeMs - decided : null,
  };
}

/**
 * Pairs live and paper positions by position key (issue #11), in key order within each window
 * (windows by epoch). `reasons` gives, by key, why a one-sided position exists when the caller
 * knows (journal events: a killed or rejected entry, a stale book, a risk limit); a live
 * position of strategy `reconciled` is `reconciled_adoption`.
 */
export function pairPositions(
  live: readonly ParitySide[],
  paper: readonly ParitySide[],
  reasons: ReadonlyMap<string, OnlyReason> = new Map(),
  tickSize = 10_000,
): ParityPair[] {
  const byKey = new Map<string, { live?: ParitySide; paper?: ParitySide }>();
  for (const s of live) byKey.set(s.position.positionKey, { live: s });
  for (const s of paper) {
    const e = byKey.get(s.position.positionKey);
    if (e === undefined) byKey.set(s.position.positionKey, { paper: s });
    else byKey.set(s.position.positionKey, { ...e, paper: s });
  }
  const rows: ParityPair[] = [];
  for (const [key, e] of byKey) {
    const any = (e.live ?? e.paper)!.position;
    const base = {
      key,
      strategy: any.strategy,
      crypto: any.crypto,
      windowSec: any.windowSec,
      windowEpoch: any.windowEpoch,
      live: e.live?.position ?? null,
      paper: e.paper?.position ?? null,
    };
    if (e.live !== undefined && e.paper !== undefined) {
      rows.push({ ...base, kind: 'pair', reason: null, deltas: pairDeltas(e.live, e.paper, tickSize) });
      continue;
    }
    const kind = e.live !== undefined ? 'only_live' : 'only_paper';
    const reason =
      reasons.get(key) ??
      (any.strategy === RECONCILED_STRATEGY ? 'reconciled_adoption' : ('unknown' as OnlyReason));
    rows.push({ ...base, kind, reason, deltas: NO_DELTAS });
  }
  return rows.sort(
    (a, b) => a.windowEpoch - b.windowEpoch || a.crypto.localeCompare(b.crypto) || a.key.localeCompare(b.key),
  );
}
