/**
 * Taker fee model of the crypto up/down markets (polymarket-protocol.md §6.7):
 * `fee_usdc = shares × rate × (p × (1 − p))^exponent`, rounded to 5 decimals (half up; below
 * 0.00001 → 0). Default rate 0.072, exponent 1 (the venue docs, Apr 2026; configurable as
 * FEE_RATE / FEE_EXPONENT). Taken in shares on BUYs and in USDC on SELLs.
 */
export interface FeeModel {
  readonly rate: number;
  readonly exponent: number;
}

/** Returns the fee of a fill in micro-USDC; `shares` in micro-shares, `price` in micro-USDC. */
export function takerFeeUsdc(shares: number, price: number, fee: FeeModel): number {
  if (fee.rate === 0 || shares <= 0) return 0;
  const p = price / 1e6;
  const usdc = (shares / 1e6) * fee.rate * Math.pow(p * (1 - p), fee.exponent);
  return Math.round(usdc * 1e5) * 10;
}
