/**
 * The market-feature estimator (exit-policies.md §1.5): the worked check, one sample per second
 * (the mid in force at the boundary), chain breaks, minimums, gaps, determinism.
 */
import { FeatureEstimator, type FeatureParams } from '../../../src/trader/exits/features';

/** Population SD, the spec's formula, for expected values. */
function popSd(xs: readonly number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) * (x - mean), 0) / xs.length);
}

/** One-second changes of `mids`. */
const diffs = (mids: readonly number[]): number[] => mids.slice(1).map((m, i) => m - mids[i]!);

/** A book with mid `mid` (micro-USDC): bid and ask one tick apart around it. */
const book = (mid: number): [number, number] => [mid - 5_000, mid + 5_000];

/** Feeds `mids` as one tick per whole second from `t0` ms; returns the estimator. */
function feed(mids: readonly (number | null)[], params: Partial<FeatureParams> = {}, t0 = 0) {
  const f = new FeatureEstimator(params);
  mids.forEach((m, i) => {
    if (m === null) f.observe(t0 + i * 1000, null, 510_000);
    else f.observe(t0 + i * 1000, ...book(m));
  });
  return f;
}

/** Small windows so the five-mid worked check is enough. */
const SMALL: Partial<FeatureParams> = { VOL_MIN_SAMPLES: 4, BB_PERIOD_S: 5, BBW_AVG_S: 1 };

describe('§1.5 worked check', () => {
  const mids = [500_000, 510_000, 500_000, 520_000, 510_000];
  const sigma = popSd(diffs(mids));

  test.each([
    ['vol', 12_990, Math.round(sigma)],
    ['atr', 41_079, Math.round(sigma * Math.sqrt(10))],
    ['bandWidth', 29_933, Math.round(2 * 2 * popSd(mids))],
    ['bandWidthAvg', 29_933, Math.round(2 * 2 * popSd(mids))],
  ] as const)('%s = %i', (name, spec, formula) => {
    const got = feed(mids, SMALL).read();
    expect(got[name]).toBe(spec);
    expect(got[name]).toBe(formula);
  });

  test('the sample of a boundary is in force on the tick that lands on it', () => {
    const f = feed(mids.slice(0, 4), SMALL);
    expect(f.read().vol).toBeNull(); // three changes < 4
    f.observe(4000, ...book(510_000));
    expect(f.read().vol).toBe(12_990);
  });
});

describe('nulls before the minimums (defaults 20 changes, 20 levels, 120 widths)', () => {
  const mids = Array.from({ length: 200 }, (_, i) => 500_000 + (i % 3) * 10_000);

  test.each([
    // ticks fed, vol/atr defined, bandWidth defined, bandWidthAvg defined
    [1, false, false, false],
    [20, false, true, false], // 19 changes; 20 levels
    [21, true, true, false], // 20 changes
    [138, true, true, false], // 119 widths
    [139, true, true, true], // 120 widths (levels 1–20 … 120–139)
  ])('%i ticks', (n, volDefined, bwDefined, avgDefined) => {
    const f = feed(mids.slice(0, n));
    const r = f.read();
    expect(r.vol !== null).toBe(volDefined);
    expect(r.atr !== null).toBe(volDefined);
    expect(r.bandWidth !== null).toBe(bwDefined);
    expect(r.bandWidthAvg !== null).toBe(avgDefined);
  });

  test('bandWidthAvg is the rounded mean of the last 120 widths', () => {
    const f = feed(mids.slice(0, 160));
    const widths: number[] = [];
    for (let end = 20; end <= 160; end++) widths.push(Math.round(2 * 2 * popSd(mids.slice(end - 20, end))));
    const last = widths.slice(-120);
    expect(f.read().bandWidth).toBe(widths[widths.length - 1]);
    expect(f.read().bandWidthAvg).toBe(Math.round(last.reduce((a, b) => a + b, 0) / 120));
  });

  test('vol uses at most the last VOL_LOOKBACK_S changes', () => {
    const f = feed(mids.slice(0, 100));
    const sigma = popSd(diffs(mids.slice(0, 100)).slice(-60));
    expect(f.read().vol).toBe(Math.round(sigma));
    expect(f.read().atr).toBe(Math.round(sigma * Math.sqrt(10)));
  });
});

describe('chain break', () => {
  test('a second without a mid: no change is computed across it', () => {
    // mids 500, 510, (none), 560, 550, 560 → changes +10, −10, +10 (not +50 across the gap)
    const f = feed([500_000, 510_000, null, 560_000, 550_000, 560_000], { VOL_MIN_SAMPLES: 3 });
    const sigma = popSd([10_000, -10_000, 10_000]);
    expect(f.read().vol).toBe(Math.round(sigma));
  });

  test('no change across the break while the count is short: vol stays null', () => {
    const f = feed([500_000, 510_000, null, 560_000, 550_000], { VOL_MIN_SAMPLES: 3 });
    expect(f.read().vol).toBeNull(); // only +10, −10
  });

  test('a one-sided book breaks the chain too', () => {
    const f = new FeatureEstimator({ VOL_MIN_SAMPLES: 2 });
    f.observe(0, ...book(500_000));
    f.observe(1000, ...book(510_000));
    f.observe(2000, 505_000, null);
    f.observe(3000, ...book(600_000));
    f.observe(4000, ...book(590_000));
    expect(f.read().vol).toBe(Math.round(popSd([10_000, -10_000])));
  });

  test('seconds without a tick keep the mid in force (changes of 0)', () => {
    const f = new FeatureEstimator({ VOL_MIN_SAMPLES: 3 });
    f.observe(0, ...book(500_000));
    f.observe(1000, ...book(510_000));
    f.observe(4000, ...book(520_000)); // seconds 2 and 3: 510 000 in force
    expect(f.read().vol).toBe(Math.round(popSd([10_000, 0, 0, 10_000])));
  });

  test('a long gap gives the same features as feeding every second', () => {
    const params = { VOL_MIN_SAMPLES: 3, BB_PERIOD_S: 4, BBW_AVG_S: 3, VOL_LOOKBACK_S: 5 };
    const sparse = new FeatureEstimator(params);
    const dense = new FeatureEstimator(params);
    const path = [500_000, 520_000, 490_000, 530_000, 500_000];
    path.forEach((m, i) => {
      sparse.observe(i * 1000, ...book(m));
      dense.observe(i * 1000, ...book(m));
    });
    for (let s = 5; s < 1000; s++) dense.observe(s * 1000, ...book(500_000));
    sparse.observe(1_000_000, ...book(540_000));
    dense.observe(1_000_000, ...book(540_000));
    expect(sparse.read()).toEqual(dense.read());
  });
});

describe('several ticks in one second: only the one in force at the boundary counts', () => {
  const params = { VOL_MIN_SAMPLES: 2 };
  const expected = Math.round(popSd([10_000, 10_000]));

  test('ticks between boundaries are not samples', () => {
    const f = new FeatureEstimator(params);
    f.observe(0, ...book(500_000));
    f.observe(300, ...book(700_000));
    f.observe(900, ...book(510_000)); // in force at 1000
    f.observe(1500, ...book(100_000));
    f.observe(1999, ...book(520_000)); // in force at 2000
    expect(f.read().vol).toBeNull(); // boundary 2000 not passed yet
    f.observe(2001, ...book(900_000));
    expect(f.read().vol).toBe(expected);
  });

  test('ticks at the same ms as the boundary: the last one counts', () => {
    const f = new FeatureEstimator(params);
    f.observe(0, ...book(500_000));
    f.observe(1000, ...book(510_000));
    f.observe(2000, ...book(300_000));
    expect(f.read().vol).toBe(Math.round(popSd([10_000, -210_000])));
    f.observe(2000, ...book(520_000));
    expect(f.read().vol).toBe(expected);
    f.observe(2000, 100_000, null); // no mid in force at 2000 after all
    expect(f.read().vol).toBeNull();
    f.observe(2000, ...book(520_000));
    f.observe(2700, ...book(1_000));
    expect(f.read().vol).toBe(expected);
  });

  test('the first tick off a boundary samples nothing before it', () => {
    const f = new FeatureEstimator(params);
    f.observe(500, ...book(500_000)); // in force at 1000
    f.observe(2000, ...book(510_000));
    f.observe(3000, ...book(520_000));
    expect(f.read().vol).toBe(expected);
  });
});

test('determinism: the same ticks give the same features', () => {
  const ticks = Array.from({ length: 400 }, (_, i) => {
    const t = i * 370 + (i % 7) * 11;
    const mid = 400_000 + ((i * 7919) % 23) * 5_000;
    return [t, mid - 5_000, i % 50 === 13 ? null : mid + 5_000] as const;
  });
  const run = () => {
    const f = new FeatureEstimator({ VOL_MIN_SAMPLES: 5, BBW_AVG_S: 10 });
    return ticks.map(([t, b, a]) => {
      f.observe(t, b, a);
      return f.read();
    });
  };
  const a = run();
  expect(run()).toEqual(a);
  expect(a[a.length - 1]!.vol).not.toBeNull();
  expect(a[a.length - 1]!.bandWidthAvg).not.toBeNull();
});
