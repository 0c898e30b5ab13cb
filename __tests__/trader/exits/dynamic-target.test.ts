/**
 * `target_trail` and `dynamic_target` (exit-policies.md §6.2–6.3): the worked examples as tables,
 * off = absent, schema defaults and refusals, monotone stop, purity.
 */
import {
  buildDynamicTarget,
  dynamicTargetSchema,
  profileStopLossPct,
  targetLevels,
  trailingMode,
} from '../../../src/trader/exits/policies/dynamic-target';
import type { PolicyPosition } from '../../../src/trader/exits/policy';
import { position as basePosition, run, tick } from '../../helpers/policy-fixtures';

/** The fixture's position at entry `entry` (micro-USDC). */
const position = (entry: number, over: Partial<PolicyPosition> = {}): PolicyPosition =>
  basePosition({ entry, ...over });

const TRAIL_FIRE = { reason: 'target_trail', size: 'full' };
const TARGET_FIRE = { reason: 'dynamic_target', size: 'full' };

describe('§6.3 ATR mode, DIRECTIONAL, entry 0.50', () => {
  const entry = 500_000;
  const params = dynamicTargetSchema.parse({});
  const [trail, target] = buildDynamicTarget({});
  const target800 = Math.min(entry + Math.round(0.6 * (1_000_000 - entry)), 999_000);
  const cand = (bid: number, atr: number): number => bid - Math.round(0.5 * atr);

  it('fixes target 800 000, activation at 650 000', () => {
    const lv = targetLevels(params, entry);
    expect(lv.target).toBe(target800);
    expect(lv.target).toBe(800_000);
    expect(entry + lv.activationProfit).toBe(650_000);
  });

  // tick, bid, atr, active, stop, fires
  const rows: ReadonlyArray<readonly [number, number, number, boolean, number | null, boolean]> = [
    [1, 600_000, 40_000, false, null, false],
    [2, 660_000, 40_000, true, null, false], // activates, nothing else
    [3, 700_000, 40_000, true, cand(700_000, 40_000), false],
    [4, 720_000, 40_000, true, cand(720_000, 40_000), false],
    [5, 710_000, 60_000, true, cand(720_000, 40_000), false], // 680 000 < stop
    [6, 700_000, 40_000, true, cand(720_000, 40_000), true],
  ];
  const results = run(
    trail!.fn,
    position(entry),
    rows.map(([n, bid, atr]) => tick(n * 1000, bid, { atr })),
  );

  test.each(rows.map((r, i) => [r[0], i, ...r.slice(1)] as const))(
    'tick %i',
    (_n, i, _bid, _atr, active, stop, fires) => {
      const r = results[i]!;
      expect(r.state.active).toBe(active);
      expect(r.state.stop).toBe(stop);
      expect(r.decision).toEqual(fires ? TRAIL_FIRE : null);
    },
  );

  it('logs TARGET_SET, TRAIL_ACTIVATED and the fire with its mode', () => {
    expect(results[0]!.events).toEqual([
      {
        event: 'TARGET_SET',
        data: { target: 800_000, activationProfit: 150_000, lockPrice: 680_000, mode: 'atr' },
      },
    ]);
    expect(results[1]!.events.map((e) => e.event)).toEqual(['TRAIL_ACTIVATED']);
    expect(results[5]!.events).toEqual([
      {
        event: 'TARGET_TRAIL_FIRED',
        data: {
          mode: 'atr',
          bid: 700_000,
          stop: 700_000,
          target: 800_000,
          lockPrice: 680_000,
          state: results[5]!.state,
        },
      },
    ]);
  });

  it('dynamic_target does not fire along the table (bid < target)', () => {
    const r = run(
      target!.fn,
      position(entry),
      rows.map(([n, bid, atr]) => tick(n * 1000, bid, { atr })),
    );
    expect(r.every((x) => x.decision === null && x.state.target === 800_000)).toBe(true);
  });

  it('had the bid reached 0.80 while the stop held, dynamic_target would fire there', () => {
    const ticks = [
      ...rows.slice(0, 4).map(([n, bid, atr]) => tick(n * 1000, bid, { atr })),
      tick(5000, 800_000, { atr: 40_000 }),
    ];
    const t = run(trail!.fn, position(entry), ticks);
    const d = run(target!.fn, position(entry), ticks);
    expect(t[4]!.decision).toBeNull(); // the trail (called first) holds: 800 000 > stop
    expect(d[4]!.decision).toEqual(TARGET_FIRE);
    expect(d[4]!.events).toEqual([
      { event: 'DYNAMIC_TARGET_FIRED', data: { bid: 800_000, target: 800_000 } },
    ]);
    expect(d[3]!.decision).toBeNull();
  });

  it('TRAIL_UPDATE_MS throttles raising only, not the fire', () => {
    const [slow] = buildDynamicTarget({ TRAIL_UPDATE_MS: 10_000 });
    const r = run(slow!.fn, position(entry), [
      tick(1000, 660_000, { atr: 40_000 }), // activates
      tick(2000, 700_000, { atr: 40_000 }), // first refresh: 680 000
      tick(5000, 760_000, { atr: 40_000 }), // throttled
      tick(12_000, 760_000, { atr: 40_000 }), // refresh: 740 000
      tick(13_000, 740_000, { atr: 40_000 }), // throttled, fires
    ]);
    expect(r.map((x) => x.state.stop)).toEqual([null, 680_000, 680_000, 740_000, 740_000]);
    expect(r.map((x) => x.state.lastUpdateMs)).toEqual([null, 2000, 2000, 12_000, 12_000]);
    expect(r[4]!.decision).toEqual(TRAIL_FIRE);
  });

  it('no atr → no raise', () => {
    const r = run(trail!.fn, position(entry), [tick(1000, 660_000), tick(2000, 700_000)]);
    expect(r[1]!.state.stop).toBeNull();
  });
});

describe('§6.3 BBW mode, SHORT_VOL, entry 0.70', () => {
  const entry = 700_000;
  const params = dynamicTargetSchema.parse({ PROFILE: 'SHORT_VOL' });
  const [trail, target] = buildDynamicTarget({ PROFILE: 'SHORT_VOL' });
  const lv = targetLevels(params, entry);

  it('fixes target 850 000, activation at 775 000, lock price 790 000', () => {
    const tgt = Math.min(entry + Math.round(0.5 * (1_000_000 - entry)), 999_000);
    expect(lv.target).toBe(tgt);
    expect([lv.target, entry + lv.activationProfit, lv.lockPrice]).toEqual([850_000, 775_000, 790_000]);
    expect(lv.lockPrice).toBe(entry + Math.round(0.6 * (tgt - entry)));
  });

  // tick, bid, width, avg, active, stop, fires
  const rows: ReadonlyArray<readonly [number, number, number, number, boolean, number | null, boolean]> = [
    [1, 750_000, 20_000, 20_000, false, null, false],
    [2, 780_000, 24_000, 20_000, true, null, false],
    [3, 810_000, 38_000, 20_000, true, lv.lockPrice, false],
    [4, 800_000, 30_000, 21_000, true, lv.lockPrice, false],
    [5, 790_000, 28_000, 21_000, true, lv.lockPrice, true],
  ];
  const results = run(
    trail!.fn,
    position(entry),
    rows.map(([n, bid, bandWidth, bandWidthAvg]) => tick(n * 1000, bid, { bandWidth, bandWidthAvg })),
  );

  test.each(rows.map((r, i) => [r[0], i, ...r.slice(1)] as const))(
    'tick %i',
    (_n, i, _bid, _w, _avg, active, stop, fires) => {
      const r = results[i]!;
      expect(r.state.active).toBe(active);
      expect(r.state.stop).toBe(stop);
      expect(r.decision).toEqual(fires ? TRAIL_FIRE : null);
    },
  );

  it('logs BAND_LOCK with width, avg and stop, and fires with mode bbw', () => {
    expect(results[2]!.events).toEqual([
      { event: 'BAND_LOCK', data: { width: 38_000, avg: 20_000, stop: 790_000 } },
    ]);
    expect(results[3]!.events).toEqual([]);
    expect(results[4]!.events[0]).toMatchObject({
      event: 'TARGET_TRAIL_FIRED',
      data: { mode: 'bbw', bid: 790_000 },
    });
  });

  it('the clamp locks bid − tk when the bid is under lockPrice + tk at the expansion', () => {
    const r = run(trail!.fn, position(entry), [
      tick(1000, 780_000),
      tick(2000, 795_000, { bandWidth: 40_000, bandWidthAvg: 20_000 }),
      tick(3000, 820_000, { bandWidth: 40_000, bandWidthAvg: 20_000 }),
    ]);
    expect(r[1]!.state.stop).toBe(795_000 - 10_000);
    expect(r[2]!.state.stop).toBe(lv.lockPrice);
    expect(r[2]!.events.map((e) => e.event)).toEqual(['BAND_LOCK']);
  });

  it('no lock when the bid is not above entry', () => {
    const [loose] = buildDynamicTarget({ PROFILE: 'SHORT_VOL', TRAILING_ACTIVATION: 0.0001 });
    const r = run(loose!.fn, position(entry), [
      tick(1000, 710_000),
      tick(2000, 700_000, { bandWidth: 40_000, bandWidthAvg: 20_000 }),
    ]);
    expect(r[0]!.state.active).toBe(true);
    expect(r[1]!.state.stop).toBeNull();
  });

  it('dynamic_target fires at bid ≥ 850 000', () => {
    const r = run(target!.fn, position(entry), [tick(1000, 849_990), tick(2000, 850_000)]);
    expect(r.map((x) => x.decision)).toEqual([null, TARGET_FIRE]);
  });
});

describe('dynamic targets: shared rules', () => {
  it('targets are capped at 0.999', () => {
    const params = dynamicTargetSchema.parse({ DIRECTIONAL_INITIAL_PNL: 1 });
    expect(targetLevels(params, 990_000).target).toBe(999_000);
  });

  it('the stop never moves against the position', () => {
    const [trail] = buildDynamicTarget({});
    const bids = [660_000, 700_000, 690_000, 750_000, 720_000, 780_000, 770_000, 790_000];
    const r = run(
      trail!.fn,
      position(500_000),
      bids.map((b, i) => tick(i * 1000, b, { atr: 20_000 + 20_000 * (i % 3) })),
    );
    let prev = -Infinity;
    for (const x of r) {
      const stop = x.state.stop as number | null;
      if (stop === null) continue;
      expect(stop).toBeGreaterThanOrEqual(prev);
      prev = stop;
    }
  });

  it('is pure: the input state is not mutated and equal inputs give equal outputs', () => {
    const [trail] = buildDynamicTarget({});
    const pos = Object.freeze(position(500_000));
    const first = trail!.fn(pos, tick(1000, 660_000), 1000, null);
    const state = Object.freeze({ ...first.state });
    const copy = { ...state };
    const a = trail!.fn(pos, tick(2000, 700_000, { atr: 40_000 }), 2000, state);
    const b = trail!.fn(pos, tick(2000, 700_000, { atr: 40_000 }), 2000, state);
    expect(state).toEqual(copy);
    expect(a).toEqual(b);
    expect(a.state).not.toBe(state);
  });
});

describe('dynamic targets config', () => {
  it('off = absent: ENABLE_DYNAMIC_TARGETS false builds nothing', () => {
    expect(buildDynamicTarget({ ENABLE_DYNAMIC_TARGETS: false })).toEqual([]);
  });

  it('builds target_trail then dynamic_target', () => {
    expect(buildDynamicTarget({}).map((b) => [b.name, b.needsFeatures])).toEqual([
      ['target_trail', true],
      ['dynamic_target', false],
    ]);
  });

  test.each([[{ ENABLE_TRAILING: false }], [{ TRAILING_MODE: 'none' as const }]])(
    'builds only dynamic_target with %j',
    (block) => {
      expect(buildDynamicTarget(block).map((b) => b.name)).toEqual(['dynamic_target']);
    },
  );

  it('the mode defaults by profile and an explicit mode wins', () => {
    expect(trailingMode(dynamicTargetSchema.parse({}))).toBe('atr');
    expect(trailingMode(dynamicTargetSchema.parse({ PROFILE: 'SHORT_VOL' }))).toBe('bbw');
    expect(trailingMode(dynamicTargetSchema.parse({ PROFILE: 'SHORT_VOL', TRAILING_MODE: 'atr' }))).toBe(
      'atr',
    );
  });

  it('profileStopLossPct: 0.50 / 0.35 with USE_PROFILE_STOP_LOSS, else null', () => {
    expect(profileStopLossPct({})).toBeNull();
    expect(profileStopLossPct({ USE_PROFILE_STOP_LOSS: true })).toBe(0.5);
    expect(profileStopLossPct({ USE_PROFILE_STOP_LOSS: true, PROFILE: 'SHORT_VOL' })).toBe(0.35);
  });

  it('fills the defaults', () => {
    expect(dynamicTargetSchema.parse({})).toEqual({
      ENABLE_DYNAMIC_TARGETS: true,
      PROFILE: 'DIRECTIONAL',
      DIRECTIONAL_INITIAL_PNL: 0.6,
      SHORT_VOL_INITIAL_PNL: 0.5,
      ENABLE_TRAILING: true,
      TRAILING_ACTIVATION: 0.5,
      TRAILING_PROFIT_LOCK: 0.6,
      BBW_EXPANSION_RATIO: 1.8,
      ATR_TRAIL_MULT: 0.5,
      TRAIL_UPDATE_MS: 0,
      USE_PROFILE_STOP_LOSS: false,
    });
  });

  test.each([
    [{ PROFILE: 'THETA' }],
    [{ DIRECTIONAL_INITIAL_PNL: 0 }],
    [{ DIRECTIONAL_INITIAL_PNL: 1.1 }],
    [{ SHORT_VOL_INITIAL_PNL: 0 }],
    [{ TRAILING_MODE: 'pct' }],
    [{ TRAILING_ACTIVATION: 0 }],
    [{ TRAILING_ACTIVATION: 1.01 }],
    [{ TRAILING_PROFIT_LOCK: 0.49 }],
    [{ TRAILING_PROFIT_LOCK: 0.71 }],
    [{ BBW_EXPANSION_RATIO: 1 }],
    [{ ATR_TRAIL_MULT: 0 }],
    [{ TRAIL_UPDATE_MS: -1 }],
    [{ TRAIL_UPDATE_MS: 0.5 }],
    [{ EXTRA: 1 }],
  ])('refuses %j', (block) => {
    expect(dynamicTargetSchema.safeParse(block).success).toBe(false);
  });
});
