import type { ExitThresholds } from './thresholds';

/** Outcome of a reversal check on one open position (design §5 "Reversal"). */
export type ReversalDecision =
  'reverse' | 'blocked_losing' | 'blocked_insufficient_profit' | 'blocked_no_bid';

/**
 * Decides whether an open position may be exited for a reversal: `reverse` when
 * `bid ≥ round(entry × (1 + MIN_PROFIT_TO_REVERSE))`; `blocked_losing` when `bid < entry` and
 * `BLOCK_IF_LOSING`; otherwise `blocked_insufficient_profit`; `blocked_no_bid` without a bid.
 * Prices in micro-USDC.
 */
export function decideReversal(
  entryPrice: number,
  bid: number | null,
  t: Pick<ExitThresholds, 'MIN_PROFIT_TO_REVERSE' | 'BLOCK_IF_LOSING'>,
): ReversalDecision {
  if (bid === null) return 'blocked_no_bid';
  if (bid >= Math.round(entryPrice * (1 + t.MIN_PROFIT_TO_REVERSE))) return 'reverse';
  if (bid < entryPrice && t.BLOCK_IF_LOSING) return 'blocked_losing';
  return 'blocked_insufficient_profit';
}
