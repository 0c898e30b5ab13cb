/**
 * The price lines a chart draws for a position (issue #13: the dashboard and the replay report):
 * entry, high-water mark, the stop-loss level, the trailing stop (once active), the profit floor,
 * the activation level and the effective stop (the highest stop in force, `effective-stop.ts`).
 * Pure; prices in micro-USDC per share, rules from design §5.
 */
import type { PositionRecord } from '../journal-records';
import { effectiveStop, stopLossPrice } from './effective-stop';
import type { ExitPolicySet } from './policy-set';
import type { ExitThresholds } from './thresholds';

/** The lines of one position, micro-USDC per share; `null` where the line does not exist (yet). */
export interface PositionLines {
  readonly entry: number;
  readonly highWaterMark: number | null;
  /** `round(entry × (1 − STOP_LOSS_PCT))` (the set's own stop-loss % when it has one). */
  readonly stopLoss: number;
  /** Trailing activates at `round(entry × (1 + TRAILING_ACTIVATION_PCT))` (design §5.3). */
  readonly activation: number;
  /** `round(HWM × (1 − TRAILING_STOP_PCT))` once trailing is active, else `null` (design §5.4). */
  readonly trailingStop: number | null;
  /** `round(entry × (1 + MIN_PROFIT_FLOOR_PCT))`: the trailing exit never sells below it. */
  readonly profitFloor: number;
  /** The highest stop in force (stop loss, trail or floor, policy stops). */
  readonly effectiveStop: number;
}

/**
 * Returns the lines of snapshot `r` under policy set `set` and thresholds `t`, or `null` when the
 * position has no entry price (not filled yet, or adopted without one).
 */
export function positionLines(
  r: PositionRecord,
  set: ExitPolicySet,
  t: ExitThresholds,
): PositionLines | null {
  const entry = r.entryPrice;
  const effective = effectiveStop(r, set, t);
  if (entry === null || effective === null) return null;
  const active = set.trailingStop && r.trailingActivatedAtMs !== null && r.highWaterMark !== null;
  return {
    entry,
    highWaterMark: r.highWaterMark,
    stopLoss: stopLossPrice(entry, set, t),
    activation: Math.round(entry * (1 + t.TRAILING_ACTIVATION_PCT)),
    trailingStop: active ? Math.round(r.highWaterMark! * (1 - t.TRAILING_STOP_PCT)) : null,
    profitFloor: Math.round(entry * (1 + t.MIN_PROFIT_FLOOR_PCT)),
    effectiveStop: effective,
  };
}
