import { takerFeeUsdc } from '../../src/execution/fee-model';
import { fillBuy, fillSell } from '../../src/execution/fill-model';

const NO_FEE = { rate: 0, exponent: 1 };

describe('fee model (protocol §6.7)', () => {
  it('charges shares × rate × p(1−p), rounded to 5 decimals', () => {
    // 100 shares at 0.50 → 1.80 USDC at rate 0.072
    expect(takerFeeUsdc(100_000_000, 500_000, { rate: 0.072, exponent: 1 })).toBe(1_800_000);
    expect(takerFeeUsdc(1_000, 500_000, { rate: 0.072, exponent: 1 })).toBe(20); // 0.000018 → 0.00002
    expect(takerFeeUsdc(100, 500_000, { rate: 0.072, exponent: 1 })).toBe(0); // below 0.00001
    expect(takerFeeUsdc(100_000_000, 500_000, NO_FEE)).toBe(0);
  });
});

describe('FOK BUY fill model (design §8)', () => {
  it('fills at the ask, not the limit (price improvement to the taker)', () => {
    const r = fillBuy([{ price: 500_000, size: 100_000_000 }], 510_000, 5_000_000, NO_FEE);
    expect(r).toMatchObject({ kind: 'filled', shares: 10_000_000, notional: 5_000_000, feeShares: 0 });
  });

  it('walks levels at or below the limit', () => {
    const asks = [
      { price: 500_000, size: 4_000_000 },
      { price: 510_000, size: 100_000_000 },
      { price: 600_000, size: 100_000_000 },
    ];
    const r = fillBuy(asks, 510_000, 5_000_000, NO_FEE);
    if (r.kind !== 'filled') throw new Error('expected a fill');
    expect(r.fills.map((f) => f.price)).toEqual([500_000, 510_000]);
    expect(r.fills[0]!.shares).toBe(4_000_000);
    // 2 USDC spent on level 1, 3 USDC / 0.51 = 5.8823 shares on level 2
    expect(r.fills[1]!.shares).toBe(5_882_300);
    expect(r.notional).toBeLessThanOrEqual(5_000_000);
    expect(5_000_000 - r.notional).toBeLessThan(51);
  });

  it('is killed when the eligible depth is short', () => {
    const asks = [
      { price: 500_000, size: 2_000_000 },
      { price: 600_000, size: 100_000_000 },
    ];
    expect(fillBuy(asks, 510_000, 5_000_000, NO_FEE).kind).toBe('killed');
    expect(fillBuy([], 510_000, 5_000_000, NO_FEE).kind).toBe('killed');
  });

  it('treats an unknown size as deep enough', () => {
    expect(fillBuy([{ price: 500_000, size: null }], 500_000, 5_000_000, NO_FEE)).toMatchObject({
      kind: 'filled',
      shares: 10_000_000,
    });
  });

  it('takes the fee in shares', () => {
    const r = fillBuy([{ price: 500_000, size: null }], 500_000, 5_000_000, { rate: 0.072, exponent: 1 });
    // 10 shares × 0.072 × 0.25 = 0.18 USDC = 0.36 shares at 0.50
    expect(r).toMatchObject({ kind: 'filled', shares: 10_000_000, feeUsdc: 180_000, feeShares: 360_000 });
  });
});

describe('FOK SELL fill model (design §8)', () => {
  it('sells all shares into bids at or above the limit, proceeds floored to 4 decimals', () => {
    const bids = [
      { price: 370_000, size: 5_000_000 },
      { price: 360_000, size: 100_000_000 },
      { price: 300_000, size: 100_000_000 },
    ];
    const r = fillSell(bids, 340_000, 9_990_000, { rate: 0.072, exponent: 1 });
    if (r.kind !== 'filled') throw new Error('expected a fill');
    expect(r.fills).toEqual([
      { price: 370_000, shares: 5_000_000 },
      { price: 360_000, shares: 4_990_000 },
    ]);
    expect(r.notional).toBe(3_646_400); // 1.85 + 1.7964
    expect(r.feeUsdc).toBeGreaterThan(0);
  });

  it('is killed when the bids at or above the limit are short', () => {
    expect(fillSell([{ price: 370_000, size: 1_000_000 }], 340_000, 5_000_000, NO_FEE).kind).toBe('killed');
    expect(fillSell([{ price: 330_000, size: null }], 340_000, 5_000_000, NO_FEE).kind).toBe('killed');
  });
});
