/**
 * Simulated FOK fills against a book (design §8). A FOK fills only if the levels at or better
 * than the limit hold enough size; the fill walks the levels best first at the makers' prices
 * (price improvement to the taker). A level of unknown size (`null`: top-of-book recordings
 * without sizes) is assumed deep enough. Amounts follow the venue's marketable-order precision
 * (polymarket-protocol.md §6.4): shares bought in 0.0001 steps, USDC received floored to 0.0001.
 * Integer micros throughout.
 */
import { MICROS, notionalFloor } from '../core/money';
import type { Fill } from '../core/types';
import type { Level } from '../book/order-book';
import { takerFeeUsdc, type FeeModel } from './fee-model';
import { TAKER_STEP } from './pricing';

/** Result of a simulated FOK. */
export type FillResult =
  | {
      readonly kind: 'filled';
      readonly fills: readonly Omit<Fill, 'tradeId'>[];
      /** Gross shares, micro-shares. */
      readonly shares: number;
      /** USDC paid (BUY) or received (SELL), micro-USDC. */
      readonly notional: number;
      readonly feeUsdc: number;
      /** Fee taken in shares (BUY only), micro-shares. */
      readonly feeShares: number;
    }
  | { readonly kind: 'killed'; readonly reason: string };

/**
 * FOK BUY spending `notional` micro-USDC on `asks` (best first) at prices ≤ `limit`.
 * Killed when the eligible depth cannot absorb the notional (to within one 0.0001-share step).
 */
export function fillBuy(asks: readonly Level[], limit: number, notional: number, fee: FeeModel): FillResult {
  const fills: Omit<Fill, 'tradeId'>[] = [];
  let remaining = notional;
  let shares = 0;
  let feeUsdc = 0;
  for (const level of asks) {
    if (level.price > limit || remaining <= 0) break;
    const affordable = Math.floor((remaining * MICROS) / level.price / TAKER_STEP) * TAKER_STEP;
    const take =
      level.size === null
        ? affordable
        : Math.min(affordable, Math.floor(level.size / TAKER_STEP) * TAKER_STEP);
    if (take <= 0) break;
    const cost = Math.ceil((take * level.price) / MICROS);
    fills.push({ price: level.price, shares: take });
    remaining -= cost;
    shares += take;
    feeUsdc += takerFeeUsdc(take, level.price, fee);
    if (take < affordable) continue;
    break;
  }
  const last = fills[fills.length - 1];
  const dust = last === undefined ? notional : Math.ceil((TAKER_STEP * last.price) / MICROS);
  if (shares === 0 || remaining > dust) {
    return { kind: 'killed', reason: `insufficient depth at or below ${limit / MICROS}` };
  }
  const spent = notional - remaining;
  const feeShares = feeUsdc === 0 ? 0 : Math.round((feeUsdc * shares) / spent);
  return { kind: 'filled', fills, shares, notional: spent, feeUsdc, feeShares: Math.min(feeShares, shares) };
}

/** FOK SELL of `shares` micro-shares into `bids` (best first) at prices ≥ `limit`. */
export function fillSell(bids: readonly Level[], limit: number, shares: number, fee: FeeModel): FillResult {
  const fills: Omit<Fill, 'tradeId'>[] = [];
  let remaining = shares;
  let gross = 0;
  let feeUsdc = 0;
  for (const level of bids) {
    if (level.price < limit || remaining <= 0) break;
    const take = level.size === null ? remaining : Math.min(remaining, level.size);
    if (take <= 0) continue;
    fills.push({ price: level.price, shares: take });
    gross += notionalFloor(take, level.price);
    feeUsdc += takerFeeUsdc(take, level.price, fee);
    remaining -= take;
  }
  if (remaining > 0) return { kind: 'killed', reason: `insufficient depth at or above ${limit / MICROS}` };
  const proceeds = Math.floor(gross / TAKER_STEP) * TAKER_STEP;
  return { kind: 'filled', fills, shares, notional: proceeds, feeUsdc, feeShares: 0 };
}
