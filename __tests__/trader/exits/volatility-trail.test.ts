/**
 * `volatility_trail` (exit-policies.md §4.2–4.3): the stage table, example A as a table, stages
 * computed once and kept, fixed method without `atr` or for forced markets, off = absent,
 * refusals, purity.
 */
import {
  buildVolatilityTrail,
  regimeOfAtr,
  sessionOfHour,
  volatilityTrailSchema,
} from '../../../src/trader/exits/policies/volatility-trail';
import { position, run, tick } from '../../helpers/policy-fixtures';

const fn = (block = {}) => buildVolatilityTrail(block)[0]!.fn;
const H = 3_600_000;

describe('stage table (§4.3)', () => {
  // window, atr, session hour (UTC) or null (adjustment off), expected regime, A, D
  const rows: [number, number, number | null, string, number, number][] = [
    [900, 12_000, 9, 'low', 48_000, 33_000],
    [900, 46_000, null, 'normal', 60_000, 40_000],
    [3600, 100_000, 14, 'extreme', 144_000, 96_000],
  ];
  test.each(rows)('%is window, atr %i, hour %p → %s, A %i, D %i', (windowSec, atr, hour, regime, A, D) => {
    const f = fn(hour === null ? { ENABLE_SESSION_ADJUSTMENT: false } : {});
    const pos = position({ windowSec, openedAtMs: (hour ?? 0) * H });
    const r = f(pos, tick(0, 500_000, { atr }), 0, null);
    expect(r.state).toMatchObject({ method: 'dynamic_volatility', atr, regime, A, D });
    expect(r.events[0]).toEqual({
      event: 'STAGES_CALCULATED',
      data: expect.objectContaining({ method: 'dynamic_volatility', regime, A, D }),
    });
  });
});

describe('example A (first row stages: A 48 000, D 33 000; entry 0.50)', () => {
  const rows: [number, number, boolean, number | null, string | null][] = [
    [520_000, 520_000, false, null, null],
    [550_000, 550_000, true, 517_000, null],
    [580_000, 580_000, true, 547_000, null],
    [550_000, 580_000, true, 547_000, null],
    [540_000, 580_000, true, 547_000, 'volatility_trail'],
  ];
  const pos = position({ openedAtMs: 9 * H });
  const results = run(
    fn(),
    pos,
    rows.map(([bid], i) => tick(i * 1000, bid, { atr: 12_000 })),
  );
  test.each(rows.map((r, i) => [i + 1, ...r] as const))(
    'tick %i: bid %i',
    (i, _bid, hwm, active, stop, decision) => {
      const r = results[i - 1]!;
      expect(r.state).toMatchObject({ hwm, active, stop, A: 48_000, D: 33_000 });
      expect(r.decision?.reason ?? null).toBe(decision);
    },
  );
  it('computes the stages once (the atr of later ticks does not change them)', () => {
    expect(results.flatMap((r) => r.events.map((e) => e.event))).toEqual([
      'STAGES_CALCULATED',
      'TRAIL_ACTIVATED',
      'VOLATILITY_TRAIL_FIRED',
    ]);
    const later = fn()(pos, tick(9, 560_000, { atr: 99_000 }), 9, results[2]!.state);
    expect(later.state).toMatchObject({ A: 48_000, D: 33_000, regime: 'low' });
  });
});

describe('method fixed', () => {
  it('without atr, or for a forced market (BTC, BTC:900), the base distances', () => {
    for (const [block, atr] of [
      [{}, null],
      [{ FORCE_FIXED_TRAILING_PAIRS: ['BTC'] }, 46_000],
      [{ FORCE_FIXED_TRAILING_PAIRS: ['BTC:900'] }, 46_000],
    ] as const) {
      const r = fn(block)(position(), tick(0, 500_000, { atr }), 0, null);
      expect(r.state).toMatchObject({ method: 'fixed', A: 75_000, D: 50_000 });
    }
    const other = fn({ FORCE_FIXED_TRAILING_PAIRS: ['BTC:3600', 'ETH'] })(
      position(),
      tick(0, 500_000, { atr: 46_000 }),
      0,
      null,
    );
    expect(other.state).toMatchObject({ method: 'dynamic_volatility' });
  });
});

describe('helpers', () => {
  it.each([
    [34_999, 'low'],
    [35_000, 'normal'],
    [64_999, 'normal'],
    [65_000, 'high'],
    [95_000, 'extreme'],
  ])('atr %i is %s', (atr, regime) => expect(regimeOfAtr(atr, [35_000, 65_000, 95_000])).toBe(regime));
  it.each([
    [0, 'asian'],
    [6, 'asian'],
    [7, 'london'],
    [13, 'overlap'],
    [16, 'new_york'],
    [21, 'asian'],
  ])('hour %i is %s', (h, s) => expect(sessionOfHour(h)).toBe(s));
});

describe('config and purity', () => {
  it('off = absent; the stop never lowers; the given state is not mutated', () => {
    expect(buildVolatilityTrail({ ENABLE_DYNAMIC_TRAILING: false })).toEqual([]);
    const f = fn();
    const s = Object.freeze(f(position(), tick(0, 600_000), 0, null).state);
    const a = f(position(), tick(1, 560_000), 1, s);
    expect(f(position(), tick(1, 560_000), 1, s)).toEqual(a);
    expect(a.state['stop']).toBe(s['stop']);
  });
  it.each([
    [{ DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER: 5 }, /MIN_MULTIPLIER/],
    [{ VOL_REGIME_BOUNDS_USDC: [0.05, 0.04, 0.09] }, /strictly increasing/],
    [{ FORCE_FIXED_TRAILING_PAIRS: ['btc'] }, /BTC:900/],
    [{ BASE_TRAIL_USDC: 0 }, /\(0, 1\)/],
    [{ VOLATILITY_MULTIPLIERS: { low: -1 } }, /> 0/],
  ])('refuses %j', (block, msg) => {
    expect(() => volatilityTrailSchema.parse(block)).toThrow(msg);
  });
});
