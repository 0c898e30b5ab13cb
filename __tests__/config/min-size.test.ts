/**
 * The smallest position that can sell at its stop loss (issue #8 point 5), with worked numbers.
 * Each row: the settings changed from the defaults, the smallest size, and the worst case (the
 * entry price whose stop-loss sale is smallest): entry, the highest bid at which the stop fires
 * (`bid < round(entry × (1 − STOP_LOSS_PCT))` on the 0.01 tick), and the sale price
 * `bid − EXIT_PRICE_BUFFER` floored to the tick.
 */
import { loadConfig, type Settings } from '../../src/config/schema';
import {
  canExitAtStop,
  entryPricesToCheck,
  smallestExitableSize,
  stopExitAt,
  worstStopExit,
} from '../../src/config/min-size';

const one = (minPrice: number, maxPrice: number) => [
  {
    type: 'momentum' as const,
    name: 'm',
    lookbackMs: 30_000,
    minMove: 0.06,
    minPrice,
    maxPrice,
    maxSpread: 0.03,
    startAfterSec: 0,
    stopBeforeEndSec: 0,
  },
];
const cfgOf = (s: Partial<Settings>, band?: [number, number]) => {
  const c = loadConfig({ env: {}, overrides: s });
  return band === undefined ? c : { ...c, strategies: one(band[0], band[1]) };
};

describe('smallestExitableSize (issue #8 point 5)', () => {
  it.each<[string, Partial<Settings>, [number, number] | undefined, number, [number, number, number]]>([
    // defaults: entry 0.16 → stop 0.12 → fires at 0.11 → sells at 0.08; 12.50 shares needed.
    // 2.13 USDC buys 13.3125 shares, the fee (0.072 × 0.16 × 0.84 per share = 0.12882 USDC)
    // takes 0.805125 of them: 12.507375 held, 12.50 sellable × 0.08 = 1.00 USDC
    ['defaults', {}, undefined, 2.13, [0.16, 0.11, 0.08]],
    // without the fee: 12.50 shares × 0.16 = 2.00 USDC exactly
    ['no fee', { FEE_RATE: 0 }, undefined, 2, [0.16, 0.11, 0.08]],
    // band 0.50–0.60 (entries 0.50–0.61), no fee: entry 0.52 → stop 0.39 → 0.38 → 0.35;
    // 1/0.35 → 2.86 shares × 0.52 = 1.4872 → 1.49 USDC (1.48 buys 2.8461: 2.84 × 0.35 = 0.994)
    ['band 0.50–0.60, no fee', { FEE_RATE: 0 }, [0.5, 0.6], 1.49, [0.52, 0.38, 0.35]],
    // a wider stop: entry 0.16 → stop 0.08 → fires at 0.07 → 0.04: 25 shares × 0.16 = 4.00, + the fee
    [
      'STOP_LOSS_PCT 0.5',
      { STOP_LOSS_PCT: 0.5, TRAILING_ACTIVATION_PCT: 0.5 },
      undefined,
      4.26,
      [0.16, 0.07, 0.04],
    ],
    // a 2 USDC minimum doubles the shares needed: 25.00 × 0.16 = 4.00, + the fee
    ['MIN_ORDER_NOTIONAL_USDC 2', { MIN_ORDER_NOTIONAL_USDC: 2 }, undefined, 4.26, [0.16, 0.11, 0.08]],
  ])('%s', (_name, settings, band, smallest, [entry, bid, sale]) => {
    const cfg = cfgOf(settings, band);
    expect(smallestExitableSize(cfg)).toBe(smallest);
    expect(canExitAtStop(cfg, Math.round(smallest * 1e6))).toBe(true);
    expect(canExitAtStop(cfg, Math.round(smallest * 1e6) - 10_000)).toBe(false);
    const worst = worstStopExit(cfg, Math.round(smallest * 1e6))!;
    expect([worst.entryPrice, worst.bid, worst.salePrice]).toEqual([entry * 1e6, bid * 1e6, sale * 1e6]);
    expect(worst.saleNotional).toBeGreaterThanOrEqual(cfg.MIN_ORDER_NOTIONAL_USDC * 1e6);
  });

  it('the default MAX_POSITION_USDC can exit with the default settings', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.MAX_POSITION_USDC).toBeGreaterThanOrEqual(smallestExitableSize(cfg));
    expect(canExitAtStop(cfg, Math.round(cfg.MAX_POSITION_USDC * 1e6))).toBe(true);
  });

  it('checks every 0.01 entry price from the lowest minPrice to the highest limit (maxPrice + buffer)', () => {
    const prices = entryPricesToCheck(cfgOf({}, [0.2, 0.25]));
    expect(prices).toEqual([200_000, 210_000, 220_000, 230_000, 240_000, 250_000, 260_000]);
    expect(entryPricesToCheck(cfgOf({}, [0.9, 0.995])).at(-1)).toBe(990_000);
  });

  it('a stop-loss exit at one price, step by step (1 USDC at 0.50, no fee)', () => {
    expect(stopExitAt(cfgOf({ FEE_RATE: 0 }), 1_000_000, 500_000)).toEqual({
      entryPrice: 500_000,
      shares: 2_000_000,
      bid: 370_000,
      salePrice: 340_000,
      saleNotional: 680_000,
    });
  });
});
