/**
 * `expiry_trail` (issue #12 point 8; rules in the header of `expiry-trail.ts`): the worked example,
 * schedule narrowing, 0.001 ticks near the extremes, hold to resolution and its release, the
 * ratchet, off = absent, schema defaults and refusals, purity.
 */
import {
  buildExpiryTrail,
  DEFAULT_EXPIRY_SCHEDULE,
  expiryTrailSchema,
  scheduledTicks,
} from '../../../src/trader/exits/policies/expiry-trail';
import type {
  BuiltPolicy,
  PolicyPosition,
  PolicyResult,
  PolicyState,
  PolicyTick,
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

/** A tick `r` seconds before the window end at `bid` (micro-USDC) with tick size `tk`. */
const tick = (r: number, bid: number, tk = 10_000): PolicyTick =>
  baseTick(WINDOW_END - Math.round(r * 1000), bid, { ask: bid + tk, tk });

/** The built policy (defaults, or `over`). */
function policy(over: Record<string, unknown> = {}): BuiltPolicy {
  const [p] = buildExpiryTrail(over);
  return p!;
}

interface Step {
  r: number;
  bid: number;
  tk?: number;
}

/** Feeds `steps` in order (now = the tick's time), threading the state. */
function run(steps: readonly Step[], pos = position(), over: Record<string, unknown> = {}): PolicyResult[] {
  const p = policy(over);
  let state: PolicyState | null = null;
  return steps.map((s) => {
    const t = tick(s.r, s.bid, s.tk);
    const res = p.fn(pos, t, t.tsMs, state);
    state = res.state;
    return res;
  });
}

const FULL = { reason: 'expiry_trail', size: 'full' } as const;

describe('worked example of the header (entry 0.50, 15-minute window, defaults)', () => {
  const steps: Step[] = [
    { r: 840, bid: 520_000 },
    { r: 700, bid: 550_000 },
    { r: 500, bid: 600_000 },
    { r: 250, bid: 620_000 },
    { r: 100, bid: 620_000 },
    { r: 50, bid: 610_000 },
    { r: 30, bid: 600_000 },
  ];
  const out = run(steps);
  test.each([
    // tick, ticks, active, hwm, stop, decision, events
    [1, 6, false, null, null, null, []],
    [2, 6, true, 550_000, 550_000 - 6 * 10_000, null, ['EXPIRY_TRAIL_ACTIVATED']],
    [3, 5, true, 600_000, 600_000 - 5 * 10_000, null, []],
    [4, 4, true, 620_000, 620_000 - 4 * 10_000, null, []],
    [5, 3, true, 620_000, 620_000 - 3 * 10_000, null, []],
    [6, 2, true, 620_000, 620_000 - 2 * 10_000, null, []],
    [7, 2, true, 620_000, 600_000, FULL, ['EXPIRY_TRAIL_FIRED']],
  ] as const)(
    'tick %i: %i ticks, active %s, hwm %p, stop %p',
    (n, ticks, active, hwm, stop, decision, events) => {
      const res = out[n - 1]!;
      expect(scheduledTicks(DEFAULT_EXPIRY_SCHEDULE, steps[n - 1]!.r)).toBe(ticks);
      expect(res.state).toEqual({ active, hwm, stop, holding: false });
      expect(res.decision).toEqual(decision);
      expect(res.events.map((e) => e.event)).toEqual(events);
      expect(res.holdToEnd).toBeUndefined();
    },
  );

  test('event payloads', () => {
    expect(out[1]!.events[0]).toEqual({
      event: 'EXPIRY_TRAIL_ACTIVATED',
      data: { bid: 550_000, entry: 500_000 },
    });
    expect(out[6]!.events[0]).toEqual({
      event: 'EXPIRY_TRAIL_FIRED',
      data: { bid: 600_000, stop: 600_000, hwm: 620_000, ticks: 2, tk: 10_000, secondsToEnd: 30 },
    });
  });
});

describe('schedule: the last entry with secondsToEnd ≥ r', () => {
  test.each([
    [20_000, 6], // beyond the first entry: the first entry's
    [14_400, 6],
    [900, 6],
    [600.5, 6],
    [600, 5],
    [300.001, 5],
    [300, 4],
    [121, 4],
    [120, 3],
    [60, 2],
    [20.5, 2],
    [20, 1],
    [1, 1],
    [0, 1],
    [-5, 1], // after the end
  ])('r = %p s → %i ticks', (r, ticks) => {
    expect(scheduledTicks(DEFAULT_EXPIRY_SCHEDULE, r)).toBe(ticks);
  });

  test('a custom schedule', () => {
    const s = [
      { secondsToEnd: 100, ticks: 3 },
      { secondsToEnd: 10, ticks: 3 },
    ];
    expect([500, 100, 50, 10, 0].map((r) => scheduledTicks(s, r))).toEqual([3, 3, 3, 3, 3]);
  });

  test('narrowing tightens the stop with no new high', () => {
    const out = run([
      { r: 700, bid: 600_000 },
      { r: 500, bid: 600_000 },
      { r: 250, bid: 600_000 },
      { r: 100, bid: 600_000 },
      { r: 50, bid: 600_000 },
      { r: 10, bid: 600_000 },
    ]);
    expect(out.map((o) => o.state.stop)).toEqual([540_000, 550_000, 560_000, 570_000, 580_000, 590_000]);
    expect(out.every((o) => o.decision === null)).toBe(true);
  });
});

describe('tick size 0.001 near the extremes', () => {
  test('entry 0.90: 5 ticks are 0.05 at 0.95, 0.005 at 0.975', () => {
    const out = run(
      [
        { r: 500, bid: 950_000, tk: 10_000 },
        { r: 450, bid: 975_000, tk: 1_000 },
        { r: 400, bid: 971_000, tk: 1_000 },
        { r: 350, bid: 970_000, tk: 1_000 },
      ],
      position({ entry: 900_000 }),
    );
    expect(out.map((o) => o.state.stop)).toEqual([900_000, 970_000, 970_000, 970_000]);
    expect(out.map((o) => o.decision)).toEqual([null, null, null, FULL]);
    expect(out[3]!.events[0]!.data).toMatchObject({ ticks: 5, tk: 1_000, hwm: 975_000 });
  });

  test('a cheap token (below 0.04) trails by 0.001 ticks', () => {
    const out = run(
      [
        { r: 500, bid: 35_000, tk: 1_000 },
        { r: 400, bid: 30_000, tk: 1_000 },
      ],
      position({ entry: 20_000 }),
      { ACTIVATION_USDC: 0.01 },
    );
    expect(out[0]!.state).toEqual({ active: true, hwm: 35_000, stop: 30_000, holding: false });
    expect(out[1]!.decision).toEqual(FULL);
  });
});

describe('hold to resolution near 1', () => {
  const pos = position({ entry: 900_000 });
  const steps: Step[] = [
    { r: 500, bid: 950_000, tk: 10_000 },
    { r: 50, bid: 975_000, tk: 1_000 },
    { r: 40, bid: 972_000, tk: 1_000 },
    { r: 30, bid: 965_000, tk: 1_000 },
  ];
  const out = run(steps, pos);
  test.each([
    // tick, holdToEnd, holding, stop, decision, events
    [1, undefined, false, 900_000, null, ['EXPIRY_TRAIL_ACTIVATED']],
    [2, true, true, 975_000 - 2 * 1_000, null, ['HOLD_TO_RESOLUTION']],
    [3, true, true, 973_000, null, []], // bid ≤ stop, but the hold wins
    [4, undefined, false, 973_000, FULL, ['HOLD_RELEASED', 'EXPIRY_TRAIL_FIRED']],
  ] as const)('tick %i: holdToEnd %p', (n, holdToEnd, holding, stop, decision, events) => {
    const res = out[n - 1]!;
    expect(res.holdToEnd).toBe(holdToEnd);
    expect(res.state).toMatchObject({ holding, stop });
    expect(res.decision).toEqual(decision);
    expect(res.events.map((e) => e.event)).toEqual(events);
  });

  test('event payloads', () => {
    expect(out[1]!.events[0]).toEqual({
      event: 'HOLD_TO_RESOLUTION',
      data: { bid: 975_000, secondsToEnd: 50 },
    });
    expect(out[3]!.events[0]).toEqual({
      event: 'HOLD_RELEASED',
      data: { bid: 965_000, threshold: 970_000, secondsToEnd: 30 },
    });
  });

  test.each([
    ['at the threshold, inside the window', [{ r: 60, bid: 970_000, tk: 1_000 }], {}, true],
    ['one tick under the threshold', [{ r: 60, bid: 969_000, tk: 1_000 }], {}, undefined],
    ['before the hold window', [{ r: 61, bid: 990_000, tk: 1_000 }], {}, undefined],
    [
      'HOLD_DISTANCE_USDC 0 never holds',
      [{ r: 5, bid: 999_000, tk: 1_000 }],
      { HOLD_DISTANCE_USDC: 0 },
      undefined,
    ],
    [
      'HOLD_WINDOW_S 0 holds only at the end',
      [{ r: 1, bid: 999_000, tk: 1_000 }],
      { HOLD_WINDOW_S: 0 },
      undefined,
    ],
    ['a wider window', [{ r: 300, bid: 980_000, tk: 1_000 }], { HOLD_WINDOW_S: 300 }, true],
    ['without activation (entry 0.95)', [{ r: 30, bid: 990_000, tk: 1_000 }], {}, true],
  ] as const)('%s', (_name, steps, over, holdToEnd) => {
    const res = run(steps, position({ entry: 950_000 }), over).at(-1)!;
    expect(res.holdToEnd).toBe(holdToEnd);
    expect(res.decision).toBeNull();
  });

  test('the hold event is logged once per hold, again after a release', () => {
    const names = run(
      [
        { r: 50, bid: 980_000, tk: 1_000 },
        { r: 45, bid: 985_000, tk: 1_000 },
        { r: 40, bid: 968_000, tk: 1_000 },
        { r: 35, bid: 975_000, tk: 1_000 },
      ],
      position({ entry: 960_000 }),
      { ACTIVATION_USDC: 0.5 },
    ).map((o) => o.events.map((e) => e.event));
    expect(names).toEqual([['HOLD_TO_RESOLUTION'], [], ['HOLD_RELEASED'], ['HOLD_TO_RESOLUTION']]);
  });
});

describe('the stop is never lowered', () => {
  test('by a lower bid, a wider tick or a farther schedule step', () => {
    const out = run([
      { r: 30, bid: 700_000 }, // 2 ticks: stop 680 000
      { r: 10, bid: 700_000 }, // 1 tick: 690 000
      { r: 700, bid: 695_000 }, // (a clock step back) 6 ticks: candidate 640 000, kept 690 000
      { r: 5, bid: 691_000 },
    ]);
    expect(out.map((o) => o.state.stop)).toEqual([680_000, 690_000, 690_000, 690_000]);
    expect(out.map((o) => o.decision)).toEqual([null, null, null, null]);
    const fired = run([
      { r: 30, bid: 700_000 },
      { r: 10, bid: 700_000 },
      { r: 5, bid: 690_000 },
    ]);
    expect(fired.at(-1)!.decision).toEqual(FULL);
  });

  test('a raise never fires on its own tick (clamped to bid − tk)', () => {
    const out = run([
      { r: 30, bid: 700_000 },
      { r: 10, bid: 695_000 }, // candidate 700 000 − 10 000 = 690 000 > bid − tk → 685 000, no fire
    ]);
    expect(out[1]!.state.stop).toBe(685_000);
    expect(out[1]!.decision).toBeNull();
  });
});

describe('off = absent, schema', () => {
  test('ENABLE_EXPIRY_TRAIL false builds nothing', () => {
    expect(buildExpiryTrail({ ENABLE_EXPIRY_TRAIL: false })).toEqual([]);
  });

  test('an empty block builds expiry_trail without features', () => {
    expect(buildExpiryTrail({}).map((b) => [b.name, b.needsFeatures])).toEqual([['expiry_trail', false]]);
  });

  test('defaults', () => {
    expect(expiryTrailSchema.parse({})).toEqual({
      ENABLE_EXPIRY_TRAIL: true,
      ACTIVATION_USDC: 0.05,
      SCHEDULE: [
        { secondsToEnd: 14400, ticks: 6 },
        { secondsToEnd: 600, ticks: 5 },
        { secondsToEnd: 300, ticks: 4 },
        { secondsToEnd: 120, ticks: 3 },
        { secondsToEnd: 60, ticks: 2 },
        { secondsToEnd: 20, ticks: 1 },
      ],
      HOLD_WINDOW_S: 60,
      HOLD_DISTANCE_USDC: 0.03,
    });
  });

  test('a parsed block can be built again; ACTIVATION_USDC 0 activates at the entry', () => {
    const p = buildExpiryTrail(expiryTrailSchema.parse({ ACTIVATION_USDC: 0 }))[0]!;
    const t = tick(500, 500_000);
    expect(p.fn(position(), t, t.tsMs, null).state).toMatchObject({ active: true, hwm: 500_000 });
  });

  test.each([
    [{ ACTIVATION_USDC: 1 }, ['ACTIVATION_USDC'], 'expected a decimal number in [0, 1), got 1'],
    [{ ACTIVATION_USDC: -0.01 }, ['ACTIVATION_USDC'], 'expected a decimal number in [0, 1), got -0.01'],
    [{ HOLD_WINDOW_S: -1 }, ['HOLD_WINDOW_S'], 'expected a whole number ≥ 0, got -1'],
    [{ HOLD_WINDOW_S: 1.5 }, ['HOLD_WINDOW_S'], 'expected a whole number ≥ 0, got 1.5'],
    [{ HOLD_DISTANCE_USDC: 0.6 }, ['HOLD_DISTANCE_USDC'], 'expected a decimal number in [0, 0.5], got 0.6'],
    [{ ENABLE_EXPIRY_TRAIL: 1 }, ['ENABLE_EXPIRY_TRAIL'], 'expected JSON true or false, got 1'],
    [{ SCHEDULE: [] }, ['SCHEDULE'], 'expected at least one {secondsToEnd, ticks} entry'],
    [{ SCHEDULE: 'x' }, ['SCHEDULE'], 'expected an array of {secondsToEnd, ticks}, got "x"'],
    [
      { SCHEDULE: [{ secondsToEnd: 60, ticks: 0 }] },
      ['SCHEDULE', 0, 'ticks'],
      'expected a whole number ≥ 1, got 0',
    ],
    [
      { SCHEDULE: [{ secondsToEnd: 60.5, ticks: 2 }] },
      ['SCHEDULE', 0, 'secondsToEnd'],
      'expected a whole number ≥ 0, got 60.5',
    ],
    [
      {
        SCHEDULE: [
          { secondsToEnd: 60, ticks: 3 },
          { secondsToEnd: 120, ticks: 2 },
        ],
      },
      ['SCHEDULE', 1, 'secondsToEnd'],
      "120 must be below the previous entry's 60: list the entries from the farthest to the nearest end, each secondsToEnd once",
    ],
    [
      {
        SCHEDULE: [
          { secondsToEnd: 60, ticks: 3 },
          { secondsToEnd: 60, ticks: 2 },
        ],
      },
      ['SCHEDULE', 1, 'secondsToEnd'],
      "60 must be below the previous entry's 60: list the entries from the farthest to the nearest end, each secondsToEnd once",
    ],
    [
      {
        SCHEDULE: [
          { secondsToEnd: 120, ticks: 2 },
          { secondsToEnd: 60, ticks: 3 },
        ],
      },
      ['SCHEDULE', 1, 'ticks'],
      "3 must not exceed the previous entry's 2: the trail only narrows toward the end",
    ],
    [{ SCHEDULE: [{ secondsToEnd: 60, ticks: 2, extra: 1 }] }, ['SCHEDULE', 0], 'Unrecognized key: "extra"'],
    [{ HOLD_WINDOW: 60 }, [], 'Unrecognized key: "HOLD_WINDOW"'],
  ])('%j is refused', (block, path, message) => {
    const r = expiryTrailSchema.safeParse(block);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path, message });
    expect(() => buildExpiryTrail(block as never)).toThrow();
  });
});

describe('purity', () => {
  test('input state, position, tick and config are not mutated; equal inputs give equal outputs', () => {
    const schedule = [
      { secondsToEnd: 600, ticks: 4 },
      { secondsToEnd: 60, ticks: 2 },
    ];
    const block = { SCHEDULE: schedule };
    const p = policy(block);
    const pos = Object.freeze(position());
    const s0 = Object.freeze({ active: true, hwm: 600_000, stop: 560_000, holding: false });
    const t = Object.freeze(tick(50, 650_000));
    const a = p.fn(pos, t, t.tsMs, s0);
    const b = p.fn(pos, t, t.tsMs, s0);
    expect(a).toEqual(b);
    expect(s0).toEqual({ active: true, hwm: 600_000, stop: 560_000, holding: false });
    expect(a.state).toEqual({ active: true, hwm: 650_000, stop: 630_000, holding: false });
    expect(a.state).not.toBe(s0);
    expect(schedule).toEqual([
      { secondsToEnd: 600, ticks: 4 },
      { secondsToEnd: 60, ticks: 2 },
    ]);
    expect(DEFAULT_EXPIRY_SCHEDULE).toHaveLength(6);
  });

  test('state is a flat JSON object', () => {
    const [res] = run([{ r: 500, bid: 600_000 }]);
    expect(JSON.parse(JSON.stringify(res!.state))).toEqual(res!.state);
    for (const v of Object.values(res!.state)) expect(['number', 'boolean', 'string']).toContain(typeof v);
  });
});
