/**
 * Stop loss (design §5.1, issue #2): fires when `bid < round(entry × (1 − STOP_LOSS_PCT))`.
 * Prices in micro-USDC.
 */
export function stopLossPrice(entryPrice: number, stopLossPct: number): number {
  return Math.round(entryPrice * (1 - stopLossPct));
}

/** True when the stop loss fires for `bid` (micro-USDC). */
export function stopLossFires(entryPrice: number, bid: number, stopLossPct: number): boolean {
  return bid < stopLossPrice(entryPrice, stopLossPct);
}
