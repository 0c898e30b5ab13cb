/**
 * The smallest position that can still sell at its stop loss (issue #8 point 5). A FOK SELL below
 * the venue minimum (MIN_ORDER_NOTIONAL_USDC, polymarket-protocol.md §6.5) is never sent, so a
 * position too small to sell at its stop-loss price cannot cut a loss. Pure: computed from the
 * settings with the same code the trader and the simulated venue use (fill model, fee curve
 * §6.7, exit pricing design §7).
 *
 * Model, for each entry fill price `e` on the 0.01 grid from a strategy's `minPrice` (lowest ask
 * it enters at) to its highest entry limit `ceil(maxPrice + ENTRY_PRICE_BUFFER)` (capped at 0.99):
 * - the FOK BUY of POSITION_SIZE_USDC fills at `e` (shares in 0.0001 steps), the fee is taken in
 *   shares (FEE_RATE, FEE_EXPONENT);
 * - the stop fires at the highest bid strictly below `round(entry × (1 − STOP_LOSS_PCT))` on the
 *   0.01 tick (the rule is `bid < stop`);
 * - the sale is at `bid − EXIT_PRICE_BUFFER` floored to the tick (at least one tick), for the held
 *   shares floored to 0.01, and must reach MIN_ORDER_NOTIONAL_USDC.
 * The tick is 0.01 throughout: near the extremes the venue's tick is 0.001 (§6.2), which only
 * raises a floored sale price, so 0.01 is the conservative choice.
 */
import { ceilTo, MICROS, notionalFloor } from '../core/money';
import { fillBuy } from '../execution/fill-model';
import { exitLimitPrice, sellableShares } from '../execution/pricing';
import { stopLossFires } from '../trader/exits/stop-loss';

/** The settings the computation reads (units as in `.env.example`: USDC, USDC per share, fractions). */
export interface MinSizeConfig {
  readonly POSITION_SIZE_USDC: number;
  readonly STOP_LOSS_PCT: number;
  readonly ENTRY_PRICE_BUFFER: number;
  readonly EXIT_PRICE_BUFFER: number;
  readonly MIN_ORDER_NOTIONAL_USDC: number;
  readonly FEE_RATE: number;
  readonly FEE_EXPONENT: number;
  /** Entry price band of each configured strategy, USDC per share (src/config/strategies.ts). */
  readonly strategies: readonly { readonly minPrice: number; readonly maxPrice: number }[];
}

/** A stop-loss exit of a position bought at one price. Prices micro-USDC, shares micro-shares. */
export interface StopExit {
  /** Average entry price, micro-USDC. */
  readonly entryPrice: number;
  /** Shares held after the fee, micro-shares. */
  readonly shares: number;
  /** Highest bid at which the stop fires, micro-USDC. */
  readonly bid: number;
  /** Limit price of the sale, micro-USDC. */
  readonly salePrice: number;
  /** Notional of the sale (sellable shares × sale price, floored), micro-USDC. */
  readonly saleNotional: number;
}

/** Tick used for entry prices, stop bids and sale prices: 0.01 (see the module comment). */
const TICK = 10_000;
/** Sizes are whole cents (POSITION_SIZE_USDC has at most 2 decimals, schema cross-check). */
const CENT = 10_000;
/** No size above this is searched, micro-USDC (1,000,000 USDC): the answer is then "none". */
const MAX_SEARCH = 1_000_000 * MICROS;

/**
 * The stop-loss exit of a `sizeMicros` (micro-USDC) position bought at `entry` (micro-USDC), or
 * `null` when the stop can never fire (no bid of one tick or more is below the stop).
 */
export function stopExitAt(cfg: MinSizeConfig, sizeMicros: number, entry: number): StopExit | null {
  const fill = fillBuy([{ price: entry, size: null }], entry, sizeMicros, {
    rate: cfg.FEE_RATE,
    exponent: cfg.FEE_EXPONENT,
  });
  if (fill.kind !== 'filled') return null;
  const entryPrice = Math.round((fill.notional * MICROS) / fill.shares);
  const shares = fill.shares - fill.feeShares;
  // highest bid on the tick grid at which `bid < round(entry × (1 − pct))` holds
  let bid = ceilTo(Math.round(entryPrice * (1 - cfg.STOP_LOSS_PCT)), TICK) - TICK;
  while (bid >= TICK && !stopLossFires(entryPrice, bid, cfg.STOP_LOSS_PCT)) bid -= TICK;
  if (bid < TICK) return null;
  const salePrice = exitLimitPrice(bid, Math.round(cfg.EXIT_PRICE_BUFFER * MICROS), TICK);
  return {
    entryPrice,
    shares,
    bid,
    salePrice,
    saleNotional: notionalFloor(sellableShares(shares), salePrice),
  };
}

/** Entry fill prices to check, micro-USDC: every 0.01 tick any configured strategy can pay. */
export function entryPricesToCheck(cfg: MinSizeConfig): number[] {
  const prices = new Set<number>();
  const buffer = Math.round(cfg.ENTRY_PRICE_BUFFER * MICROS);
  for (const s of cfg.strategies) {
    const lo = Math.max(ceilTo(Math.round(s.minPrice * MICROS), TICK), TICK);
    const hi = Math.min(ceilTo(Math.round(s.maxPrice * MICROS) + buffer, TICK), MICROS - TICK);
    for (let e = lo; e <= hi; e += TICK) prices.add(e);
  }
  return [...prices].sort((a, b) => a - b);
}

/**
 * The worst stop-loss exit of a position of `sizeMicros` micro-USDC over every entry price the
 * strategies allow: the one with the smallest sale notional (`null` when no stop can fire).
 */
export function worstStopExit(cfg: MinSizeConfig, sizeMicros: number): StopExit | null {
  let worst: StopExit | null = null;
  for (const e of entryPricesToCheck(cfg)) {
    const x = stopExitAt(cfg, sizeMicros, e);
    if (x !== null && (worst === null || x.saleNotional < worst.saleNotional)) worst = x;
  }
  return worst;
}

/** True when a position of `sizeMicros` can sell at its stop loss at every allowed entry price. */
export function canExitAtStop(cfg: MinSizeConfig, sizeMicros: number): boolean {
  const min = Math.round(cfg.MIN_ORDER_NOTIONAL_USDC * MICROS);
  return entryPricesToCheck(cfg).every((e) => {
    const x = stopExitAt(cfg, sizeMicros, e);
    return x === null || x.saleNotional >= min;
  });
}

/**
 * The smallest POSITION_SIZE_USDC (USDC, whole cents, at least MIN_ORDER_NOTIONAL_USDC) whose
 * stop-loss sale reaches MIN_ORDER_NOTIONAL_USDC for every entry price the configured strategies
 * allow; `Infinity` when no size up to 1,000,000 USDC does.
 */
export function smallestExitableSize(cfg: MinSizeConfig): number {
  const min = Math.round(cfg.MIN_ORDER_NOTIONAL_USDC * MICROS);
  let size = Math.max(ceilTo(min, CENT), CENT);
  // per entry price: the estimate from the shares the sale needs, then whole cents up
  for (const e of entryPricesToCheck(cfg)) {
    const probe = stopExitAt(cfg, size, e);
    if (probe === null || probe.saleNotional >= min) continue;
    const need = ceilTo(Math.ceil((min * MICROS) / probe.salePrice), CENT);
    const keep = probe.shares / Math.max(1, Math.floor((size * MICROS) / e));
    const estimate = ceilTo(Math.floor((need * e) / MICROS / Math.max(keep, 0.5)), CENT) - CENT;
    size = Math.max(size, estimate);
    while (size <= MAX_SEARCH && (stopExitAt(cfg, size, e)?.saleNotional ?? min) < min) size += CENT;
  }
  // the floors are not strictly monotonic across prices: confirm the size for every price
  while (size <= MAX_SEARCH && !canExitAtStop(cfg, size)) size += CENT;
  // the estimates round up: step back while a cent less still works
  while (size - CENT >= Math.max(ceilTo(min, CENT), CENT) && canExitAtStop(cfg, size - CENT)) size -= CENT;
  return size > MAX_SEARCH ? Number.POSITIVE_INFINITY : size / MICROS;
}
