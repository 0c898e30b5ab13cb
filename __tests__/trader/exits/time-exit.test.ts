/**
 * `time_exit` (exit-policies.md §5.2 plus the issue's max-hold and exit-before-end rules): the
 * worked example as a table, each rule, off = absent, schema defaults and refusals, purity.
 */
import type { PolicyPosition, PolicyTick } from '../../../src/trader/exits/policy';
import { buildTimeExit, timeExitSchema, trendAligned } from '../../../src/trader/exits/policies/time-exit';
import { position as basePosition, tick as baseTick } from '../../helpers/policy-fixtures';

/** The fixture's position (UP, entry 0.50 at t = 0, window ends at 900 s) with start spot 100 000. */
const position = (over: Partial<PolicyPosition> = {}): PolicyPosition =>
  basePosition({ windowStartSpot: 100_000, ...over });

/** The fixture's tick at `tsMs` with bid `bid` (micro-USDC) and spot `spot` (USD). */
const tick = (tsMs: number, bid: number, spot: number | null, over: Partial<PolicyTick> = {}): PolicyTick =>
  baseTick(tsMs, bid, { spot, ...over });

const FIRE = { reason: 'time_exit', size: 'full' };

describe('time_exit §5.2 example (MAX_HOLD_LOSING_MS 300 000, multiplier 2, UP, entry 0.50)', () => {
  const [policy] = buildTimeExit({ MAX_HOLD_LOSING_MS: 300_000, TREND_ALIGNED_HOLD_MULT: 2 });
  const fn = policy!.fn;
  // now s, bid, spot, fires
  const rows: ReadonlyArray<readonly [number, number, number | null, boolean]> = [
    [299, 450_000, 99_950, false],
    [300, 450_000, 99_950, true], // not aligned: 300 s × 1
    [300, 450_000, 100_020, false], // aligned: waits for 300 s × 2
    [599, 450_000, 100_020, false],
    [600, 450_000, 100_020, true],
    [300, 450_000, null, true], // spot unknown → m = 1
    [600, 500_000, 99_950, false], // never while bid ≥ entry
    [900, 520_000, 100_020, false],
  ];
  test.each(rows)('at %i s, bid %i, spot %p → fires %p', (s, bid, spot, fires) => {
    const r = fn(position(), tick(s * 1000, bid, spot), s * 1000, null);
    expect(r.decision).toEqual(fires ? FIRE : null);
    expect(r.state).toEqual({});
  });

  it('logs the rule and its inputs', () => {
    const r = fn(position(), tick(600_000, 450_000, 100_020), 600_000, null);
    expect(r.events).toEqual([
      {
        event: 'TIME_EXIT_FIRED',
        data: {
          rule: 'max_hold_losing',
          bid: 450_000,
          entry: 500_000,
          heldMs: 600_000,
          limitMs: Math.round(300_000 * 2),
          mult: 2,
          spot: 100_020,
          startSpot: 100_000,
          state: {},
        },
      },
    ]);
  });

  it('is measured from openedAtMs with nowMs (not the tick time)', () => {
    const pos = position({ openedAtMs: 50_000 });
    expect(fn(pos, tick(340_000, 450_000, 99_950), 349_999, null).decision).toBeNull();
    expect(fn(pos, tick(340_000, 450_000, 99_950), 350_000, null).decision).toEqual(FIRE);
  });
});

describe('trend alignment', () => {
  test.each([
    ['UP', 100_000, 100_000, true],
    ['UP', 99_999, 100_000, false],
    ['DOWN', 99_999, 100_000, true],
    ['DOWN', 100_000, 100_000, false],
    ['UP', null, 100_000, false],
    ['UP', 100_000, null, false],
  ] as const)('%s, spot %p, start %p → %p', (side, spot, start, aligned) => {
    expect(trendAligned(position({ side, windowStartSpot: start }), tick(0, 450_000, spot))).toBe(aligned);
  });

  it('DOWN held with the spot under the start waits for the multiplied hold', () => {
    const [p] = buildTimeExit({ MAX_HOLD_LOSING_MS: 300_000, TREND_ALIGNED_HOLD_MULT: 1.5 });
    const pos = position({ side: 'DOWN' });
    expect(p!.fn(pos, tick(0, 450_000, 99_950), 449_999, null).decision).toBeNull();
    expect(p!.fn(pos, tick(0, 450_000, 99_950), Math.round(300_000 * 1.5), null).decision).toEqual(FIRE);
  });
});

describe('time_exit max hold and exit before end', () => {
  it('MAX_HOLD_MS fires whatever the P&L', () => {
    const [p] = buildTimeExit({ MAX_HOLD_MS: 120_000 });
    expect(p!.fn(position(), tick(0, 700_000, null), 119_999, null).decision).toBeNull();
    const r = p!.fn(position(), tick(0, 700_000, null), 120_000, null);
    expect(r.decision).toEqual(FIRE);
    expect(r.events[0]).toEqual({
      event: 'TIME_EXIT_FIRED',
      data: { rule: 'max_hold', bid: 700_000, heldMs: 120_000, limitMs: 120_000, state: {} },
    });
  });

  it('EXIT_BEFORE_END_S fires from windowEndMs − S × 1000 on', () => {
    const [p] = buildTimeExit({ EXIT_BEFORE_END_S: 30 });
    const exitAtMs = 900_000 - Math.round(30 * 1000);
    expect(p!.fn(position(), tick(0, 700_000, null), exitAtMs - 1, null).decision).toBeNull();
    const r = p!.fn(position(), tick(0, 700_000, null), exitAtMs, null);
    expect(r.decision).toEqual(FIRE);
    expect(r.events[0]).toEqual({
      event: 'TIME_EXIT_FIRED',
      data: { rule: 'before_end', bid: 700_000, nowMs: exitAtMs, windowEndMs: 900_000, exitAtMs, state: {} },
    });
  });

  it('reports the first rule in order max_hold_losing, max_hold, before_end', () => {
    const [p] = buildTimeExit({ MAX_HOLD_LOSING_MS: 100_000, MAX_HOLD_MS: 100_000, EXIT_BEFORE_END_S: 900 });
    const rule = (bid: number): unknown =>
      p!.fn(position(), tick(0, bid, null), 100_000, null).events[0]?.data.rule;
    expect(rule(450_000)).toBe('max_hold_losing');
    expect(rule(550_000)).toBe('max_hold');
    const [q] = buildTimeExit({ MAX_HOLD_MS: 200_000, EXIT_BEFORE_END_S: 900 });
    expect(q!.fn(position(), tick(0, 550_000, null), 100_000, null).events[0]?.data.rule).toBe('before_end');
  });

  it('a rule at 0 is off', () => {
    const [p] = buildTimeExit({ MAX_HOLD_MS: 10_000_000 });
    expect(p!.fn(position(), tick(0, 10_000, null), 899_999, null).decision).toBeNull();
  });

  it('is pure: equal inputs give equal outputs, arguments untouched', () => {
    const [p] = buildTimeExit({ MAX_HOLD_LOSING_MS: 300_000 });
    const pos = Object.freeze(position());
    const t = Object.freeze(tick(300_000, 450_000, 99_950));
    const state = Object.freeze({});
    const a = p!.fn(pos, t, 300_000, state);
    const b = p!.fn(pos, t, 300_000, state);
    expect(a).toEqual(b);
    expect(state).toEqual({});
  });
});

describe('time_exit config', () => {
  it('off = absent: ENABLE_TIME_EXIT false builds nothing', () => {
    expect(buildTimeExit({ ENABLE_TIME_EXIT: false })).toEqual([]);
  });

  it('builds one policy without features', () => {
    expect(buildTimeExit({ MAX_HOLD_MS: 1 })).toEqual([
      { name: 'time_exit', fn: expect.any(Function), needsFeatures: false },
    ]);
  });

  it('fills the defaults', () => {
    expect(timeExitSchema.parse({ MAX_HOLD_LOSING_MS: 300_000 })).toEqual({
      ENABLE_TIME_EXIT: true,
      MAX_HOLD_LOSING_MS: 300_000,
      TREND_ALIGNED_HOLD_MULT: 2,
      MAX_HOLD_MS: 0,
      EXIT_BEFORE_END_S: 0,
    });
  });

  it('refuses an enabled block with every rule off, saying what to set', () => {
    const r = timeExitSchema.safeParse({});
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/MAX_HOLD_LOSING_MS, MAX_HOLD_MS or EXIT_BEFORE_END_S/);
    expect(() => buildTimeExit({})).toThrow(/every rule is off/);
  });

  test.each([
    [{ MAX_HOLD_LOSING_MS: -1 }],
    [{ MAX_HOLD_LOSING_MS: 1.5 }],
    [{ MAX_HOLD_LOSING_MS: 1, TREND_ALIGNED_HOLD_MULT: 0.9 }],
    [{ MAX_HOLD_MS: -1 }],
    [{ EXIT_BEFORE_END_S: -1 }],
    [{ MAX_HOLD_MS: 1, OTHER: true }],
  ])('refuses %j', (block) => {
    expect(timeExitSchema.safeParse(block).success).toBe(false);
  });
});
