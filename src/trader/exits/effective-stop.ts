/**
 * The effective stop of a position, for display (exit-policies.md §1.4: "the effective stop is the
 * highest stop among the policies"): the stop-loss level, the default trailing stop once active
 * (design §5), and every policy state's `stop`. Pure; prices in micro-USDC per share.
 */
import type { PositionRecord } from '../journal-records';
import type { ExitPolicySet } from './policy-set';
import type { ExitThresholds } from './thresholds';
import { trailingStopPrice } from './trailing';

/**
 * Returns the highest stop in force for a snapshot `r` under `set` and thresholds `t`, or `null`
 * when the position has no entry price (not filled, or adopted).
 */
export function effectiveStop(r: PositionRecord, set: ExitPolicySet, t: ExitThresholds): number | null {
  const entry = r.entryPrice;
  if (entry === null) return null;
  let stop = stopLossPrice(entry, set, t);
  if (set.trailingStop && r.trailingActivatedAtMs !== null && r.highWaterMark !== null)
    stop = Math.max(
      stop,
      trailingStopPrice(entry, r.highWaterMark, t.TRAILING_STOP_PCT, t.MIN_PROFIT_FLOOR_PCT),
    );
  for (const s of Object.values(r.exitState?.policies ?? {}))
    if (typeof s['stop'] === 'number') stop = Math.max(stop, s['stop']);
  return stop;
}

/** The stop-loss level of `entry` (micro-USDC): `round(entry × (1 − stop-loss %))`, the set's own % when it has one. */
export function stopLossPrice(entry: number, set: ExitPolicySet, t: ExitThresholds): number {
  return Math.round(entry * (1 - (set.stopLossPct ?? t.STOP_LOSS_PCT)));
}
