/**
 * High-water mark and trailing take-profit (design §5.2–5.4, issue #2). Prices in micro-USDC.
 * - the HWM moves to `bid` when `bid > round(HWM × (1 + UPDATE_HWM_THRESHOLD))`;
 * - trailing activates when `bid ≥ round(entry × (1 + TRAILING_ACTIVATION_PCT))`;
 * - it fires when `bid ≤ max(round(HWM × (1 − TRAILING_STOP_PCT)), round(entry × (1 + MIN_PROFIT_FLOOR_PCT)))`.
 * The stop only ratchets up, since the HWM only rises.
 */

/** Returns the new HWM when `bid` moves it, else `null`. */
export function nextHighWaterMark(hwm: number, bid: number, updateThreshold: number): number | null {
  return bid > Math.round(hwm * (1 + updateThreshold)) ? bid : null;
}

/** True when trailing activates at `bid`. */
export function trailingActivates(entryPrice: number, bid: number, activationPct: number): boolean {
  return bid >= Math.round(entryPrice * (1 + activationPct));
}

/** The trailing stop price: the HWM trail or the profit floor, whichever is higher. */
export function trailingStopPrice(
  entryPrice: number,
  hwm: number,
  trailingStopPct: number,
  minProfitFloorPct: number,
): number {
  return Math.max(Math.round(hwm * (1 - trailingStopPct)), Math.round(entryPrice * (1 + minProfitFloorPct)));
}
