/**
 * The market-feature estimator (exit-policies.md §1.5): one sample a second (the mid in force at
 * the boundary), the worked check, null before the minimums, chain breaks, determinism.
 */
import { FeatureEstimator } from '../../../src/trader/exits/features';

/** Feeds one tick a second at k·1000 + 500 ms with mid `mids[k]` (spread 0.01), then one more. */
function feed(f: FeatureEstimator, mids: readonly (number | null)[]): void {
  mids.forEach((m, k) =>
    f.observe(k * 1000 + 500, m === null ? null : m - 5_000, m === null ? null : m + 5_000),
  );
  f.observe(mids.length * 1000 + 500, null, null);
}

describe('worked check (§1.5: mids 0.500, 0.510, 0.500, 0.520, 0.510)', () => {
  it('vol 12 990, atr 41 079, band width 29 933 (minimums lowered)', () => {
    const f = new FeatureEstimator({ VOL_MIN_SAMPLES: 4, BB_PERIOD_S: 5, BBW_AVG_S: 1 });
    feed(f, [500_000, 510_000, 500_000, 520_000, 510_000]);
    expect(f.read()).toEqual({ vol: 12_990, atr: 41_079, bandWidth: 29_933, bandWidthAvg: 29_933 });
  });
});

describe('sampling', () => {
  it('is null until the minimums (20 changes, 20 levels, 120 widths by default)', () => {
    const f = new FeatureEstimator();
    feed(
      f,
      Array.from({ length: 20 }, (_, i) => 500_000 + (i % 2) * 10_000),
    );
    expect(f.read()).toMatchObject({ vol: null, atr: null, bandWidthAvg: null });
    expect(f.read().bandWidth).not.toBeNull();
    const g = new FeatureEstimator();
    feed(
      g,
      Array.from({ length: 21 }, (_, i) => 500_000 + (i % 2) * 10_000),
    );
    expect(g.read().vol).toBe(10_000);
  });

  it('takes the mid in force at each whole second (several ticks in a second: the last before it)', () => {
    const a = new FeatureEstimator({ VOL_MIN_SAMPLES: 1, BB_PERIOD_S: 2, BBW_AVG_S: 1 });
    a.observe(100, 490_000, 510_000); // mid 500 000, in force at 1 000
    a.observe(900, 510_000, 530_000); // mid 520 000, in force at 1 000
    a.observe(1_500, 530_000, 550_000); // mid 540 000, in force at 2 000
    a.observe(2_500, null, null);
    // samples at 1 s and 2 s: 520 000 → 540 000
    expect(a.read()).toMatchObject({ vol: 0, bandWidth: Math.round(2 * 2 * 10_000) });
  });

  it('a second without a mid breaks the chain: no change across it', () => {
    const f = new FeatureEstimator({ VOL_MIN_SAMPLES: 1, BB_PERIOD_S: 100, BBW_AVG_S: 1 });
    feed(f, [500_000, null, 900_000, 900_000]);
    // the only change is 900 000 → 900 000 (0): the jump across the gap is not one
    expect(f.read().vol).toBe(0);
  });

  it('is deterministic (same ticks, same features)', () => {
    const mids = Array.from({ length: 200 }, (_, i) => 500_000 + Math.round(Math.sin(i / 7) * 30_000));
    const a = new FeatureEstimator();
    const b = new FeatureEstimator();
    feed(a, mids);
    feed(b, mids);
    expect(a.read()).toEqual(b.read());
    expect(a.read().bandWidthAvg).not.toBeNull();
  });
});
