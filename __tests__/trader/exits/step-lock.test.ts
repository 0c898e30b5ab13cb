/**
 * `step_lock` (exit-policies.md §5.2–5.3): the worked examples as tables, off = absent, schema
 * defaults and refusals, monotone stop, purity.
 */
import { buildStepLock, stepLockPolicy, stepLockSchema } from '../../../src/trader/exits/policies/step-lock';
import type { PolicyPosition } from '../../../src/trader/exits/policy';
import { position as basePosition, run, tick } from '../../helpers/policy-fixtures';

/** A position: the fixture's, with a known start spot. */
const position = (over: Partial<PolicyPosition> = {}): PolicyPosition =>
  basePosition({ windowStartSpot: 100_000, ...over });

const [policy] = buildStepLock({});
const fn = policy!.fn;
const entry = 500_000;
const STEP = 20_000;

describe('step_lock §5.3 table 1 (steps, cooldown, hysteresis)', () => {
  // t s, bid, expected lock, stop, fires
  const rows: ReadonlyArray<readonly [number, number, number | null, number | null, boolean]> = [
    [1, 550_000, null, null, false],
    [5, 570_000, 40_000, entry + 40_000, false],
    [10, 620_000, 40_000, entry + 40_000, false], // 80 000 deferred by the cooldown
    [25, 610_000, 80_000, entry + 80_000, false],
    [30, 600_000, 80_000, entry + 80_000, false], // n = 4 by hysteresis, lock kept
    [32, 580_000, 80_000, entry + 80_000, true],
  ];
  const results = run(
    fn,
    position(),
    rows.map(([t, bid]) => tick(t * 1000, bid)),
  );

  test.each(rows.map((r, i) => [r[0], i, ...r.slice(1)] as const))(
    't = %i s',
    (_t, i, _bid, lock, stop, fires) => {
      const r = results[i]!;
      expect(r.state.lock).toBe(lock);
      expect(r.state.stop).toBe(stop);
      expect(r.decision).toEqual(fires ? { reason: 'step_lock', size: 'full' } : null);
    },
  );

  it('logs STEP_LOCKED with n, lock, stop, and the fire with its inputs', () => {
    expect(results[1]!.events).toEqual([
      { event: 'STEP_LOCKED', data: { n: 3, lock: 40_000, stop: 540_000 } },
    ]);
    expect(results[2]!.events).toEqual([]);
    expect(results[3]!.events).toEqual([
      { event: 'STEP_LOCKED', data: { n: 5, lock: 80_000, stop: 580_000 } },
    ]);
    expect(results[5]!.events).toEqual([
      {
        event: 'STEP_LOCK_FIRED',
        data: { bid: 580_000, stop: 580_000, lock: 80_000, state: results[5]!.state },
      },
    ]);
  });

  it('percent mode fixes STEP = max(tk, round(entry × PCT)) on the first call and gives the same rows', () => {
    const [p] = buildStepLock({ STEP_MODE_PERCENT: true, STEP_INCREMENT_PCT: 0.04 });
    const pct = run(
      p!.fn,
      position(),
      rows.map(([t, bid]) => tick(t * 1000, bid)),
    );
    expect(pct[0]!.state.step).toBe(Math.max(10_000, Math.round(entry * 0.04)));
    expect(pct.map((r) => [r.state.stop, r.decision])).toEqual(
      results.map((r) => [r.state.stop, r.decision]),
    );
  });

  it('percent mode: the step never goes under one tick, and stays fixed', () => {
    const [p] = buildStepLock({ STEP_MODE_PERCENT: true, STEP_INCREMENT_PCT: 0.01 });
    const cheap = position({ entry: 200_000 });
    const [a, b] = run(p!.fn, cheap, [tick(1000, 210_000), tick(2000, 260_000, { tk: 1_000 })]);
    expect(a!.state.step).toBe(Math.max(10_000, Math.round(200_000 * 0.01)));
    expect(b!.state.step).toBe(10_000);
  });
});

describe('step_lock §5.3 table 2 (cap and hand-off)', () => {
  const gap = (atr: number): number => Math.round(0.55 * atr);
  // t s, bid, atr, expected lock, stop, fires
  const rows: ReadonlyArray<readonly [number, number, number, number, number, boolean]> = [
    [30, 660_000, 40_000, 120_000, entry + 120_000, false],
    [60, 740_000, 40_000, 200_000, Math.max(entry + 200_000, 740_000 - gap(40_000)), false],
    [62, 800_000, 40_000, 200_000, 800_000 - gap(40_000), false],
    [65, 790_000, 60_000, 200_000, 800_000 - gap(40_000), false], // 757 000 < stop
    [70, 770_000, 40_000, 200_000, 800_000 - gap(40_000), true],
  ];
  const results = run(
    fn,
    position(),
    rows.map(([t, bid, atr]) => tick(t * 1000, bid, { atr })),
  );

  test.each(rows.map((r, i) => [r[0], i, ...r.slice(1)] as const))(
    't = %i s',
    (_t, i, _bid, _atr, lock, stop, fires) => {
      const r = results[i]!;
      expect(r.state.lock).toBe(lock);
      expect(r.state.stop).toBe(stop);
      expect(r.decision).toEqual(fires ? { reason: 'step_lock', size: 'full' } : null);
    },
  );

  it('hands off on the cap tick, logging CAP_HANDOFF after STEP_LOCKED', () => {
    expect(results[0]!.state.handedOff).toBe(false);
    expect(results[1]!.state.handedOff).toBe(true);
    expect(results[1]!.events).toEqual([
      { event: 'STEP_LOCKED', data: { n: 11, lock: 200_000, stop: 700_000 } },
      { event: 'CAP_HANDOFF', data: { lock: 200_000, atr: 40_000 } },
    ]);
  });

  it('does not hand off with CAP_HANDOFF_TIGHT_ATR off (floors only)', () => {
    const [p] = buildStepLock({ CAP_HANDOFF_TIGHT_ATR: false });
    const r = run(
      p!.fn,
      position(),
      rows.map(([t, bid, atr]) => tick(t * 1000, bid, { atr })),
    );
    expect(r.map((x) => x.state.stop)).toEqual([620_000, 700_000, 700_000, 700_000, 700_000]);
    expect(r.every((x) => x.state.handedOff === false)).toBe(true);
  });

  it('the ATR trail waits for a known atr after the hand-off', () => {
    const r = run(fn, position(), [
      tick(60_000, 740_000, { atr: null }),
      tick(61_000, 760_000, { atr: null }),
    ]);
    expect(r[0]!.state.handedOff).toBe(true);
    expect(r[1]!.state.stop).toBe(700_000);
  });
});

describe('step_lock rules', () => {
  it('does nothing below START = TRAIL_START_NET + FEE_BUFFER', () => {
    const r = run(fn, position(), [tick(1000, entry + 59_999)]);
    expect(r[0]!.state.stop).toBeNull();
    expect(r[0]!.events).toEqual([]);
  });

  it('n = 1 locks break-even (lock 0) when START allows it', () => {
    const [p] = buildStepLock({ TRAIL_START_NET_USDC: 0, FEE_BUFFER_USDC: 0 });
    const r = run(p!.fn, position(), [tick(1000, entry + STEP + 10_000)]);
    expect(r[0]!.state).toMatchObject({ lock: 0, stop: entry });
  });

  it('the stop never moves against the position', () => {
    const bids = [570_000, 640_000, 520_000, 700_000, 560_000, 760_000, 730_000, 790_000, 600_000];
    const r = run(
      fn,
      position(),
      bids.map((b, i) => tick((i + 1) * 25_000, b, { atr: 30_000 + 10_000 * (i % 3) })),
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
    const pos = position();
    const first = fn(pos, tick(5000, 570_000), 5000, null);
    const state = Object.freeze({ ...first.state });
    const copy = { ...state };
    const a = fn(pos, tick(30_000, 640_000), 30_000, state);
    const b = fn(pos, tick(30_000, 640_000), 30_000, state);
    expect(state).toEqual(copy);
    expect(a).toEqual(b);
    expect(a.state).not.toBe(state);
  });
});

describe('step_lock config', () => {
  it('off = absent: ENABLE_STEP_TRAILING false builds nothing', () => {
    expect(buildStepLock({ ENABLE_STEP_TRAILING: false })).toEqual([]);
  });

  it('builds one policy needing features', () => {
    const built = buildStepLock({});
    expect(built).toHaveLength(1);
    expect(built[0]).toMatchObject({ name: 'step_lock', needsFeatures: true });
  });

  it('fills the spec defaults', () => {
    expect(stepLockSchema.parse({})).toEqual({
      ENABLE_STEP_TRAILING: true,
      STEP_INCREMENT_USDC: 0.02,
      MAX_TRAIL_CAP_USDC: 0.2,
      TRAIL_START_NET_USDC: 0.04,
      FEE_BUFFER_USDC: 0.02,
      HYSTERESIS_USDC: 0.01,
      STEP_COOLDOWN_MS: 20_000,
      CAP_HANDOFF_TIGHT_ATR: true,
      CAP_TRAIL_MULT: 0.55,
      STEP_MODE_PERCENT: false,
      STEP_INCREMENT_PCT: 0.04,
    });
  });

  test.each([
    [{ STEP_INCREMENT_USDC: 0.0009 }],
    [{ TRAIL_START_NET_USDC: -0.01 }],
    [{ FEE_BUFFER_USDC: -0.01 }],
    [{ HYSTERESIS_USDC: -0.01 }],
    [{ STEP_COOLDOWN_MS: -1 }],
    [{ STEP_COOLDOWN_MS: 1.5 }],
    [{ CAP_TRAIL_MULT: 0 }],
    [{ STEP_INCREMENT_PCT: 0 }],
    [{ STEP_INCREMENT_PCT: 1 }],
    [{ UNKNOWN_FIELD: 1 }],
  ])('refuses %j', (block) => {
    expect(stepLockSchema.safeParse(block).success).toBe(false);
  });

  it('refuses a cap under the step, with an actionable message', () => {
    const r = stepLockSchema.safeParse({ STEP_INCREMENT_USDC: 0.05, MAX_TRAIL_CAP_USDC: 0.04 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['MAX_TRAIL_CAP_USDC'] });
    expect(r.error!.issues[0]!.message).toMatch(/MAX_TRAIL_CAP_USDC.*≥ STEP_INCREMENT_USDC.*raise the cap/);
  });

  it('refuses hysteresis ≥ step, with an actionable message', () => {
    const r = stepLockSchema.safeParse({ STEP_INCREMENT_USDC: 0.02, HYSTERESIS_USDC: 0.02 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(
      /HYSTERESIS_USDC.*< STEP_INCREMENT_USDC.*lower the hysteresis/,
    );
  });

  it('accepts cap = step and the builder throws on an invalid block', () => {
    expect(stepLockSchema.safeParse({ STEP_INCREMENT_USDC: 0.05, MAX_TRAIL_CAP_USDC: 0.05 }).success).toBe(
      true,
    );
    expect(() => buildStepLock({ HYSTERESIS_USDC: 0.03 })).toThrow(/HYSTERESIS_USDC/);
  });

  it('stepLockPolicy takes parsed params (the builder uses it)', () => {
    const direct = stepLockPolicy(stepLockSchema.parse({}));
    expect(direct(position(), tick(5000, 570_000), 5000, null).state.stop).toBe(540_000);
  });
});
