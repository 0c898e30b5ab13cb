/**
 * `volatility_trail` (exit-policies.md §4.2–4.3): the stage table, example A as a table, stages
 * computed once and kept, fixed method without `atr` or for forced markets, off = absent,
 * refusals, purity. Expected values are built with the spec's expressions (§1.1).
 */
import { clampStop } from '../../../src/trader/exits/policy';
import {
  buildVolatilityTrail,
  regimeOfAtr,
  sessionOfHour,
  volatilityTrailSchema,
} from '../../../src/trader/exits/policies/volatility-trail';
import { position, run, tick } from '../../helpers/policy-fixtures';

const fn = (block = {}) => buildVolatilityTrail(block)[0]!.fn;
const H = 3_600_000;
const TK = 10_000;
const BASE_ACTIVATION = Math.round(0.075 * 1e6);
const BASE_TRAIL = Math.round(0.05 * 1e6);

/** The spec's stage formula (§4.2) with the default multipliers. */
const stage = (b: number, atr: number, vf: number, sf: number): number =>
  Math.max(TK, Math.round(Math.max(atr * 0.8, Math.min(b * vf * sf, atr * 4.0))));

describe('stage table (§4.3)', () => {
  // window s, atr, session hour (UTC) or null (adjustment off), regime, session, scalp, vf, sf, A, D
  const rows: [
    number,
    number,
    number | null,
    string,
    string | null,
    boolean,
    number,
    number,
    number,
    number,
  ][] = [
    [900, 12_000, 9, 'low', 'london', true, 0.6, 1.1, 48_000, 33_000],
    [900, 46_000, null, 'normal', null, true, 0.8, 1, 60_000, 40_000],
    [3600, 100_000, 14, 'extreme', 'overlap', false, 1.6, 1.2, 144_000, 96_000],
  ];
  test.each(rows)(
    '%is window, atr %i, hour %p → %s',
    (windowSec, atr, hour, regime, session, scalp, vf, sf, A, D) => {
      expect(stage(BASE_ACTIVATION, atr, vf, sf)).toBe(A);
      expect(stage(BASE_TRAIL, atr, vf, sf)).toBe(D);
      const f = fn(hour === null ? { ENABLE_SESSION_ADJUSTMENT: false } : {});
      const pos = position({ windowSec, openedAtMs: (hour ?? 0) * H });
      const r = f(pos, tick(0, 500_000, { atr }), 0, null);
      expect(r.state).toEqual({
        method: 'dynamic_volatility',
        atr,
        regime,
        session,
        scalp,
        A,
        D,
        hwm: 500_000,
        active: false,
        stop: null,
      });
      expect(r.events).toEqual([
        {
          event: 'STAGES_CALCULATED',
          data: { method: 'dynamic_volatility', atr, regime, session, scalp, A, D },
        },
      ]);
    },
  );

  test('first row: 49 500 is capped at 4 × atr', () => {
    expect(Math.round(BASE_ACTIVATION * 0.6 * 1.1)).toBe(49_500);
    expect(Math.round(12_000 * 4.0)).toBe(48_000);
  });
});

describe('example A (first row stages: A 48 000, D 33 000; entry 0.50)', () => {
  const A = 48_000;
  const D = 33_000;
  // bid, hwm, active, stop, decision
  const rows: [number, number, boolean, number | null, string | null][] = [
    [520_000, 520_000, false, null, null],
    [550_000, 550_000, true, clampStop(550_000 - D, 550_000, TK), null],
    [580_000, 580_000, true, clampStop(580_000 - D, 580_000, TK), null],
    [550_000, 580_000, true, 547_000, null],
    [540_000, 580_000, true, 547_000, 'volatility_trail'],
  ];
  const pos = position({ openedAtMs: 9 * H });
  const results = run(
    fn(),
    pos,
    rows.map(([bid], i) => tick(i * 1000, bid, { atr: 12_000 })),
  );

  test('active at ≥ entry + A = 548 000; stops 517 000 then 547 000', () => {
    expect(500_000 + A).toBe(548_000);
    expect(rows.map((r) => r[3])).toEqual([null, 517_000, 547_000, 547_000, 547_000]);
  });

  test.each(rows.map((r, i) => [i + 1, ...r] as const))(
    'tick %i: bid %i',
    (i, _bid, hwm, active, stop, decision) => {
      const r = results[i - 1]!;
      expect(r.state).toMatchObject({ hwm, active, stop, A, D });
      expect(r.decision?.reason ?? null).toBe(decision);
    },
  );

  test('journals the stages once, the activation and the fire with their inputs', () => {
    expect(results.flatMap((r) => r.events.map((e) => e.event))).toEqual([
      'STAGES_CALCULATED',
      'TRAIL_ACTIVATED',
      'VOLATILITY_TRAIL_FIRED',
    ]);
    expect(results[1]!.events[0]).toEqual({ event: 'TRAIL_ACTIVATED', data: { bid: 550_000, A } });
    expect(results[4]!.events[0]!.data).toMatchObject({ bid: 540_000, stop: 547_000, hwm: 580_000, D });
    expect(results[4]!.decision).toEqual({ reason: 'volatility_trail', size: 'full' });
  });

  test('computes the stages once (the atr of later ticks does not change them)', () => {
    const later = fn()(pos, tick(9, 560_000, { atr: 99_000 }), 9, results[2]!.state);
    expect(later.state).toMatchObject({ A, D, regime: 'low', atr: 12_000 });
    expect(later.events).toEqual([]);
  });
});

describe('method fixed', () => {
  test.each([
    [{}, null],
    [{ FORCE_FIXED_TRAILING_PAIRS: ['BTC'] }, 46_000],
    [{ FORCE_FIXED_TRAILING_PAIRS: ['BTC:900'] }, 46_000],
  ] as const)('%j, atr %p: the base distances', (block, atr) => {
    const r = fn(block)(position(), tick(0, 500_000, { atr }), 0, null);
    expect(r.state).toMatchObject({ method: 'fixed', A: BASE_ACTIVATION, D: BASE_TRAIL, atr });
    expect(r.events[0]!.data).toMatchObject({ method: 'fixed', A: BASE_ACTIVATION, D: BASE_TRAIL });
  });

  test('another market or window length stays dynamic', () => {
    const other = fn({ FORCE_FIXED_TRAILING_PAIRS: ['BTC:3600', 'ETH'] })(
      position(),
      tick(0, 500_000, { atr: 46_000 }),
      0,
      null,
    );
    expect(other.state).toMatchObject({ method: 'dynamic_volatility' });
  });

  test('a stored fixed method keeps its stages once atr appears', () => {
    const [first, second] = run(fn(), position(), [tick(0, 500_000), tick(1, 500_000, { atr: 46_000 })]);
    expect(first!.state).toMatchObject({ method: 'fixed' });
    expect(second!.state).toMatchObject({ method: 'fixed', A: BASE_ACTIVATION, D: BASE_TRAIL });
  });
});

describe('helpers', () => {
  test.each([
    [34_999, 'low'],
    [35_000, 'normal'],
    [64_999, 'normal'],
    [65_000, 'high'],
    [94_999, 'high'],
    [95_000, 'extreme'],
  ])('atr %i is %s', (atr, regime) => expect(regimeOfAtr(atr, [35_000, 65_000, 95_000])).toBe(regime));

  test.each([
    [0, 'asian'],
    [6, 'asian'],
    [7, 'london'],
    [12, 'london'],
    [13, 'overlap'],
    [15, 'overlap'],
    [16, 'new_york'],
    [20, 'new_york'],
    [21, 'asian'],
    [23, 'asian'],
  ])('hour %i is %s', (h, s) => expect(sessionOfHour(h)).toBe(s));
});

describe('purity and the ratchet', () => {
  test('the given state, position and tick are not mutated; equal inputs give equal outputs', () => {
    const f = fn();
    const pos = Object.freeze(position());
    const s = Object.freeze(f(pos, tick(0, 600_000), 0, null).state);
    const copy = { ...s };
    const t = Object.freeze(tick(1, 560_000));
    const a = f(pos, t, 1, s);
    expect(f(pos, t, 1, s)).toEqual(a);
    expect(s).toEqual(copy);
    expect(a.state).not.toBe(s);
  });

  test('the stop never lowers', () => {
    const bids = [600_000, 640_000, 620_000, 700_000, 690_000, 680_000];
    const r = run(
      fn(),
      position(),
      bids.map((b, i) => tick(i, b)),
    );
    const stops = r.map((x) => x.state['stop'] as number);
    for (let i = 1; i < stops.length; i++) expect(stops[i]).toBeGreaterThanOrEqual(stops[i - 1]!);
  });

  test('the state is a flat JSON object', () => {
    const [r] = run(fn(), position(), [tick(0, 600_000, { atr: 46_000 })]);
    for (const v of Object.values(r!.state)) expect(v === null || typeof v !== 'object').toBe(true);
    expect(JSON.parse(JSON.stringify(r!.state))).toEqual(r!.state);
  });
});

describe('config (§4.2 table)', () => {
  test('defaults to the published values', () => {
    expect(volatilityTrailSchema.parse({})).toEqual({
      ENABLE_DYNAMIC_TRAILING: true,
      ENABLE_SESSION_ADJUSTMENT: true,
      VOLATILITY_MULTIPLIERS: { low: 0.7, normal: 1.0, high: 1.3, extreme: 1.6 },
      SCALP_VOLATILITY_MULTIPLIERS: { low: 0.6, normal: 0.8, high: 1.0, extreme: 1.2 },
      SESSION_MULTIPLIERS: { asian: 0.9, london: 1.1, new_york: 1.1, overlap: 1.2 },
      DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER: 0.8,
      DYNAMIC_TRAILING_ATR_MAX_MULTIPLIER: 4.0,
      FORCE_FIXED_TRAILING_PAIRS: [],
      BASE_ACTIVATION_USDC: 0.075,
      BASE_TRAIL_USDC: 0.05,
      VOL_REGIME_BOUNDS_USDC: [0.035, 0.065, 0.095],
      SCALP_MAX_WINDOW_SEC: 900,
    });
  });

  test('off = absent; on = one policy that needs the features', () => {
    expect(buildVolatilityTrail({ ENABLE_DYNAMIC_TRAILING: false })).toEqual([]);
    expect(buildVolatilityTrail({}).map((b) => [b.name, b.needsFeatures])).toEqual([
      ['volatility_trail', true],
    ]);
  });

  test.each([
    [{ DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER: 5 }, /MIN_MULTIPLIER \(5\) must be ≤/],
    [{ VOL_REGIME_BOUNDS_USDC: [0.05, 0.04, 0.09] }, /strictly increasing/],
    [{ VOL_REGIME_BOUNDS_USDC: [0.05, 0.05, 0.09] }, /strictly increasing/],
    [{ FORCE_FIXED_TRAILING_PAIRS: ['btc'] }, /BTC:900/],
    [{ BASE_TRAIL_USDC: 0 }, /\(0, 1\)/],
    [{ BASE_ACTIVATION_USDC: 1 }, /\(0, 1\)/],
    [{ VOLATILITY_MULTIPLIERS: { low: -1 } }, /> 0/],
    [{ SESSION_MULTIPLIERS: { asian: 0 } }, /> 0/],
    [{ SCALP_MAX_WINDOW_SEC: 0 }, /> 0/],
    [{ SCALP_MAX_WINDOW_SEC: 90.5 }, /whole number/],
    [{ EXTRA: 1 }, /EXTRA|unrecognized/i],
  ])('refuses %j', (block, msg) => {
    expect(() => volatilityTrailSchema.parse(block)).toThrow(msg);
  });
});
