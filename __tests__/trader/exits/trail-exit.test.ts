/**
 * `trail_exit` + `scale_out` (exit-policies.md §3.2–3.3): the spec's examples, table-driven, plus
 * off = absent, schema defaults and refusals, and purity.
 */
import {
  buildTrailExit,
  notionalAt,
  scaleOutSize,
  trailExitSchema,
} from '../../../src/trader/exits/policies/trail-exit';
import {
  capTarget,
  type BuiltPolicy,
  type ExitDecision,
  type PolicyEvent,
  type PolicyName,
  type PolicyPosition,
  type PolicyState,
  type PolicyTick,
} from '../../../src/trader/exits/policy';
import { position as basePosition, tick as baseTick } from '../../helpers/policy-fixtures';

const WINDOW_END = 1_766_745_900_000;

/** The fixture's position (entry 0.50, 10 shares) in the 15-minute window ending at WINDOW_END. */
const position = (over: Partial<PolicyPosition> = {}): PolicyPosition =>
  basePosition({
    key: 's1_BTC_15m_1766745000:UP',
    openedAtMs: WINDOW_END - 900_000,
    windowEndMs: WINDOW_END,
    ...over,
  });

/** A tick at `bid` (micro-USDC) with tick size `tk` (default 0.01). */
const tick = (bid: number, tk = 10_000, tsMs = WINDOW_END - 600_000): PolicyTick =>
  baseTick(tsMs, bid, { ask: bid + tk, tk });

/** The built pair with defaults (or `over`). */
function pair(over: Record<string, unknown> = {}): { trail: BuiltPolicy; scale: BuiltPolicy } {
  const [trail, scale] = buildTrailExit(over);
  return { trail: trail!, scale: scale! };
}

interface Step {
  bid: number;
  tk?: number;
}
interface Row {
  engaged: boolean;
  hwm: number | null;
  stop: number | null;
  decision: ExitDecision | null;
  events: readonly string[];
}

/**
 * Runs the composer's order for this family (trail_exit, then scale_out; the first decision wins)
 * over `steps`. A part decision is filled before the next tick: shares drop by the part and
 * `scale_out` joins `partialsDone` (spec §3.3).
 */
function run(start: PolicyPosition, steps: readonly Step[], over: Record<string, unknown> = {}): Row[] {
  const { trail, scale } = pair(over);
  let pos = start;
  let state: PolicyState | null = null;
  const rows: Row[] = [];
  for (const s of steps) {
    const t = tick(s.bid, s.tk);
    const a = trail.fn(pos, t, t.tsMs, state);
    state = a.state;
    let decision = a.decision;
    const events: PolicyEvent[] = [...a.events];
    if (decision === null) {
      const b = scale.fn(pos, t, t.tsMs, null);
      decision = b.decision;
      events.push(...b.events);
    }
    rows.push({
      engaged: state.engaged as boolean,
      hwm: state.hwm as number | null,
      stop: state.stop as number | null,
      decision,
      events: events.map((e) => e.event),
    });
    if (decision?.size === 'part') {
      const partials: PolicyName[] = [...pos.partialsDone, 'scale_out'];
      pos = { ...pos, shares: pos.shares - decision.shares, partialsDone: partials };
    }
  }
  return rows;
}

describe('§3.3 example: entry 0.50, 10 shares, defaults', () => {
  const bids = [510_000, 530_000, 550_000, 580_000, 600_000, 580_000, 570_000];
  const rows = run(
    position(),
    bids.map((bid) => ({ bid })),
  );
  const part: ExitDecision = { reason: 'scale_out', size: 'part', shares: 5_000_000 };
  const full: ExitDecision = { reason: 'trail_exit', size: 'full' };
  test.each([
    // tick, bid, engaged, hwm, stop, decision, events
    [1, 510_000, false, null, null, null, []],
    [2, 530_000, true, 530_000, Math.round(530_000 * (1 - 0.05)), null, ['HWM_ENGAGED']],
    [3, 550_000, true, 550_000, Math.round(550_000 * (1 - 0.05)), part, ['HWM_UPDATE', 'SCALE_OUT']],
    [4, 580_000, true, 580_000, Math.round(580_000 * (1 - 0.05)), null, ['HWM_UPDATE']],
    [5, 600_000, true, 600_000, Math.round(600_000 * (1 - 0.05)), null, ['HWM_UPDATE']],
    [6, 580_000, true, 600_000, 570_000, null, []],
    [7, 570_000, true, 600_000, 570_000, full, ['TRAIL_TRIGGERED']],
  ] as const)(
    'tick %i bid %i → engaged %s hwm %p stop %p',
    (n, _bid, engaged, hwm, stop, decision, events) => {
      expect(rows[n - 1]).toEqual({ engaged, hwm, stop, decision, events });
    },
  );

  test('the spec table values', () => {
    expect(rows.map((r) => r.stop)).toEqual([null, 503_500, 522_500, 551_000, 570_000, 570_000, 570_000]);
  });
});

describe('event payloads', () => {
  const { trail, scale } = pair();
  const pos = position();
  test('HWM_ENGAGED, HWM_UPDATE, TRAIL_TRIGGERED', () => {
    const a = trail.fn(pos, tick(530_000), 0, null);
    expect(a.events).toEqual([{ event: 'HWM_ENGAGED', data: { entry: 500_000, bid: 530_000 } }]);
    const b = trail.fn(pos, tick(600_000), 0, a.state);
    expect(b.events).toEqual([{ event: 'HWM_UPDATE', data: { hwm: 600_000, pctAboveEntry: 20 } }]);
    const c = trail.fn(pos, tick(570_000), 0, b.state);
    expect(c.events).toEqual([
      { event: 'TRAIL_TRIGGERED', data: { hwm: 600_000, bid: 570_000, trailPct: 0.05, stop: 570_000 } },
    ]);
  });
  test('SCALE_OUT {tp, bid, shares, remaining}', () => {
    const r = scale.fn(pos, tick(560_000), 0, null);
    expect(r.events).toEqual([
      { event: 'SCALE_OUT', data: { tp: 550_000, bid: 560_000, shares: 5_000_000, remaining: 5_000_000 } },
    ]);
    expect(r.state).toEqual({});
  });
});

describe('0.10 entry: the clamp makes the give-back at least one tick (§3.2)', () => {
  const rows = run(position({ entry: 100_000, partialsDone: ['scale_out'] }), [
    { bid: 104_000 },
    { bid: 110_000 },
    { bid: 100_000 },
  ]);
  test.each([
    [1, 104_000, false, null, null, null],
    [2, 110_000, true, 110_000, 100_000, null],
    [3, 100_000, true, 110_000, 100_000, { reason: 'trail_exit', size: 'full' }],
  ] as const)('tick %i bid %i', (n, _bid, engaged, hwm, stop, decision) => {
    expect(rows[n - 1]).toMatchObject({ engaged, hwm, stop, decision });
  });
  test('without the scale-out done, tp 0.11 sells all 10 shares at tick 2 (1.10 USDC cannot be split)', () => {
    const r = run(position({ entry: 100_000 }), [{ bid: 104_000 }, { bid: 110_000 }]);
    expect(r[1]!.decision).toEqual({ reason: 'scale_out', size: 'full' });
  });
  test('engagement threshold and raw trigger', () => {
    expect(Math.round(100_000 * (1 + 0.05))).toBe(105_000);
    expect(Math.round(110_000 * (1 - 0.05))).toBe(104_500);
  });
});

describe('scale_out sizing (§3.2)', () => {
  test.each([
    // shares, bid, expected
    ['2 shares at 0.55: raised to 1.82, rest worth 0.099 → full (spec example)', 2_000_000, 550_000, 'full'],
    ['10 shares at 0.55: half', 10_000_000, 550_000, 5_000_000],
    [
      '3 shares at 0.55: 1.5 worth 0.825 → raised to 1.82; rest 1.18 worth 0.649 → full',
      3_000_000,
      550_000,
      'full',
    ],
    ['4 shares at 0.55: 2 worth 1.10, rest 2 worth 1.10 → part', 4_000_000, 550_000, 2_000_000],
    ['3.7 shares at 0.60: 1.85 worth 1.11, rest 1.85 → part', 3_700_000, 600_000, 1_850_000],
    ['3.4 shares at 0.60: 1.7 worth 1.02 → part 1.7, rest 1.7 → part', 3_400_000, 600_000, 1_700_000],
    [
      '3.3 shares at 0.60: 1.65 worth 0.99 → raised to 1.67; rest 1.63 worth 0.978 → full',
      3_300_000,
      600_000,
      'full',
    ],
    [
      '5 shares at 0.30: 2.5 worth 0.75 → raised to 3.34; rest 1.66 worth 0.498 → full',
      5_000_000,
      300_000,
      'full',
    ],
    ['9 shares at 0.30: 4.5 worth 1.35, rest 4.5 → part', 9_000_000, 300_000, 4_500_000],
    ['0.01 share: full', 10_000, 999_000, 'full'],
  ] as const)('%s', (_name, shares, bid, expected) => {
    expect(scaleOutSize(shares, bid, 0.5, 1_000_000)).toBe(expected);
  });

  test('2-share example through the policy: full exit with reason scale_out', () => {
    const { scale } = pair();
    const r = scale.fn(position({ shares: 2_000_000 }), tick(550_000), 0, null);
    expect(r.decision).toEqual({ reason: 'scale_out', size: 'full' });
    expect(r.events[0]!.data).toEqual({ tp: 550_000, bid: 550_000, shares: 2_000_000, remaining: 0 });
    expect(Math.ceil(1e12 / 550_000)).toBe(1_818_182);
  });

  test('odd size: part floored to 0.01 share', () => {
    expect(scaleOutSize(10_015_000, 550_000, 0.5, 1_000_000)).toBe(5_000_000);
  });

  test('a raised minimum (MIN_ORDER_NOTIONAL_USDC 5) turns a 10-share split into a full exit', () => {
    const { scale } = pair({ MIN_ORDER_NOTIONAL_USDC: 5 });
    expect(scale.fn(position(), tick(550_000), 0, null).decision).toEqual({
      reason: 'scale_out',
      size: 'full',
    });
    const { scale: s2 } = pair({ MIN_ORDER_NOTIONAL_USDC: 2.5 });
    expect(s2.fn(position(), tick(550_000), 0, null).decision).toEqual({
      reason: 'scale_out',
      size: 'part',
      shares: 5_000_000,
    });
  });

  test('notional is exact past 2^53', () => {
    expect(notionalAt(2_000_000, 550_000)).toBe(1_100_000);
    const big = 9_000_000_000_000_000; // 9e15 micro-shares (above 2^53 when × bid)
    expect(notionalAt(big, 999_999)).toBe(Number((BigInt(big) * 999_999n) / 1_000_000n));
    expect(notionalAt(123_456_789_010_000, 987_654)).toBe(
      Number((123_456_789_010_000n * 987_654n) / 1_000_000n),
    );
  });
});

describe('scale_out trigger and done flag', () => {
  const { scale } = pair();
  test.each([
    ['below tp', position(), 549_000, null],
    ['at tp', position(), 550_000, { reason: 'scale_out', size: 'part', shares: 5_000_000 }],
    ['done: filled or abandoned', position({ partialsDone: ['scale_out'] }), 600_000, null],
    [
      'other partials do not count',
      position({ partialsDone: ['dynamic_target'] }),
      600_000,
      { reason: 'scale_out', size: 'part', shares: 5_000_000 },
    ],
  ] as const)('%s', (_name, pos, bid, decision) => {
    expect(scale.fn(pos, tick(bid), 0, null).decision).toEqual(decision);
  });

  test('fires again on later ticks while not done (a killed partial retries, §1.3 rule 6)', () => {
    const pos = position();
    expect(scale.fn(pos, tick(560_000), 0, {}).decision).not.toBeNull();
    expect(scale.fn(pos, tick(570_000), 0, {}).decision).not.toBeNull();
  });
});

describe('near 1: the target is capped at 0.999 (§1.3 rule 4, §3.2)', () => {
  test.each([
    [920_000, 999_000],
    [950_000, 999_000],
    [908_000, 998_800],
    [909_000, 999_000],
    [900_000, 990_000],
  ])('entry %i → tp %i', (entry, tp) => {
    expect(capTarget(Math.round(entry * (1 + 0.1)))).toBe(tp);
  });

  test('entry 0.95: scale_out fires at bid 0.999 (tk 0.001), not at 0.998', () => {
    const { scale } = pair();
    const pos = position({ entry: 950_000 });
    expect(scale.fn(pos, tick(998_000, 1_000), 0, null).decision).toBeNull();
    const r = scale.fn(pos, tick(999_000, 1_000), 0, null);
    expect(r.decision).toEqual({ reason: 'scale_out', size: 'part', shares: 5_000_000 });
    expect(r.events[0]!.data).toMatchObject({ tp: 999_000 });
  });

  test('entry 0.95: the trail stop stays one tick (0.001) under the bid', () => {
    const rows = run(position({ entry: 950_000, partialsDone: ['scale_out'] }), [
      { bid: 998_000, tk: 1_000 },
      { bid: 996_000, tk: 1_000 },
    ]);
    // engage at Math.round(950_000 * 1.05) = 997_500; raw trigger 948_100 < bid − tk
    expect(rows[0]).toMatchObject({ engaged: true, hwm: 998_000, stop: Math.round(998_000 * 0.95) });
    expect(rows[1]!.decision).toBeNull();
  });
});

describe('stops only ratchet up', () => {
  test('a lower bid never lowers the stop; a raise never fires on its own tick', () => {
    const bids = [530_000, 560_000, 540_000, 535_000, 545_000, 533_000];
    const rows = run(
      position({ partialsDone: ['scale_out'] }),
      bids.map((bid) => ({ bid })),
    );
    const stops = rows.map((r) => r.stop!);
    for (let i = 1; i < stops.length; i++) expect(stops[i]!).toBeGreaterThanOrEqual(stops[i - 1]!);
    expect(rows.every((r) => r.decision === null)).toBe(true);
    expect(stops.at(-1)).toBe(532_000);
    const fired = run(
      position({ partialsDone: ['scale_out'] }),
      [...bids, 532_000].map((bid) => ({ bid })),
    );
    expect(fired.at(-1)).toMatchObject({ stop: 532_000, decision: { reason: 'trail_exit', size: 'full' } });
  });
});

describe('off = absent, schema', () => {
  test('TRAILING_ENABLED false builds nothing', () => {
    expect(buildTrailExit({ TRAILING_ENABLED: false })).toEqual([]);
  });

  test('an empty block builds [trail_exit, scale_out] without features', () => {
    const built = buildTrailExit({});
    expect(built.map((b) => [b.name, b.needsFeatures])).toEqual([
      ['trail_exit', false],
      ['scale_out', false],
    ]);
  });

  test('defaults', () => {
    expect(trailExitSchema.parse({})).toEqual({
      TRAILING_ENABLED: true,
      TRAIL_PCT: 0.05,
      SCALE_OUT_PCT: 0.5,
      TRAIL_ENGAGEMENT_PCT: 0.05,
      TP_PCT: 0.1,
      MIN_ORDER_NOTIONAL_USDC: 1,
    });
  });

  test('a parsed block can be built again', () => {
    expect(buildTrailExit(trailExitSchema.parse({ TRAIL_PCT: 0.1 }))).toHaveLength(2);
  });

  test.each([
    ['TRAIL_PCT', 0, 'expected a decimal number in (0, 1), got 0'],
    ['TRAIL_PCT', 1, 'expected a decimal number in (0, 1), got 1'],
    ['SCALE_OUT_PCT', 1.5, 'expected a decimal number in (0, 1), got 1.5'],
    ['TRAIL_ENGAGEMENT_PCT', 2, 'expected a decimal number in (0, 2), got 2'],
    ['TP_PCT', -0.1, 'expected a decimal number in (0, 2), got -0.1'],
    ['TP_PCT', '0.1', 'expected a decimal number in (0, 2), got "0.1"'],
    ['MIN_ORDER_NOTIONAL_USDC', 0, 'expected a decimal number > 0, got 0'],
    ['TRAILING_ENABLED', 'yes', 'expected JSON true or false, got "yes"'],
  ])('%s = %p is refused', (key, value, message) => {
    const r = trailExitSchema.safeParse({ [key]: value });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: [key], message });
    expect(() => buildTrailExit({ [key]: value } as never)).toThrow();
  });

  test('unknown keys are refused (strict)', () => {
    expect(trailExitSchema.safeParse({ TRAIL_PCTT: 0.05 }).success).toBe(false);
  });
});

describe('purity', () => {
  test('input state and position are not mutated; equal inputs give equal outputs', () => {
    const { trail, scale } = pair();
    const pos = Object.freeze(position({ partialsDone: Object.freeze([]) as never }));
    const s0 = Object.freeze({ engaged: true, hwm: 550_000, stop: 522_500 });
    const t = Object.freeze(tick(600_000));
    const a = trail.fn(pos, t, 0, s0);
    const b = trail.fn(pos, t, 0, s0);
    expect(s0).toEqual({ engaged: true, hwm: 550_000, stop: 522_500 });
    expect(a).toEqual(b);
    expect(a.state).not.toBe(s0);
    expect(a.state).toEqual({ engaged: true, hwm: 600_000, stop: 570_000 });
    const unchanged = trail.fn(pos, tick(540_000), 0, s0);
    expect(unchanged.state).toEqual(s0);
    expect(unchanged.state).not.toBe(s0);
    expect(scale.fn(pos, t, 0, null)).toEqual(scale.fn(pos, t, 0, null));
  });

  test('state is a flat JSON object', () => {
    const { trail } = pair();
    const r = trail.fn(position(), tick(530_000), 0, null);
    expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
    for (const v of Object.values(r.state)) expect(['number', 'boolean', 'string']).toContain(typeof v);
  });
});
