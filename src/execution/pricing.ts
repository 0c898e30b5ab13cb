/**
 * Order pricing and amount rules (design §7, polymarket-protocol.md §6.2–6.5). Integer micros.
 */
import { ceilTo, floorTo, MICROS } from '../core/money';

/** Share precision of a marketable SELL's maker amount: 2 decimals = 10_000 micro-shares (§6.4). */
export const SELL_SHARE_STEP = 10_000;
/** USDC precision of a marketable BUY's maker amount: 2 decimals = 10_000 micro-USDC (§6.4). */
export const BUY_NOTIONAL_STEP = 10_000;
/** Taker amount precision of marketable orders: 4 decimals = 100 micros (§6.4). */
export const TAKER_STEP = 100;

/**
 * Entry limit: `ask + buffer` rounded up to the tick, capped at `1 − tick` (design §7).
 * All arguments and the result in micro-USDC.
 */
export function entryLimitPrice(ask: number, buffer: number, tick: number): number {
  return Math.min(ceilTo(ask + buffer, tick), MICROS - tick);
}

/**
 * Exit limit: `bid − buffer` rounded down to the tick, at least one tick (design §7).
 * All arguments and the result in micro-USDC.
 */
export function exitLimitPrice(bid: number, buffer: number, tick: number): number {
  return Math.max(floorTo(bid - buffer, tick), tick);
}

/** Shares a FOK SELL can carry: the held shares rounded down to 0.01 share (micro-shares). */
export function sellableShares(heldShares: number): number {
  return floorTo(heldShares, SELL_SHARE_STEP);
}
