/**
 * `profit_lock` (exit-policies.md §4.2, example B of §4.3): locks entry + one tick once the bid
 * reaches entry + 0.10, never lowers it, fires at or below it; off = absent; refusals; purity.
 * Expected values are built with the spec's expressions (§1.1).
 */
import { clampStop } from '../../../src/trader/exits/policy';
import {
  buildProfitLock,
  profitLockPolicy,
  profitLockSchema,
} from '../../../src/trader/exits/policies/profit-lock';
import { buildVolatilityTrail } from '../../../src/trader/exits/policies/volatility-trail';
import { position, run, tick } from '../../helpers/policy-fixtures';

const fn = buildProfitLock({})[0]!.fn;
const entry = 500_000;
const TK = 10_000;
const LOCK_TRIGGER = Math.round(0.1 * 1e6);
const LOCK_STOP = clampStop(entry + 1 * TK, 610_000, TK);

describe('example B (§4.3: entry 0.50, trigger 0.60; trail with the third row stages)', () => {
  // bid, locked, lock stop, trail active, decision (composer order: profit_lock before the trail)
  const rows: [number, boolean, number | null, boolean, string | null][] = [
    [550_000, false, null, false, null],
    [610_000, true, LOCK_STOP, false, null],
    [580_000, true, LOCK_STOP, false, null],
    [520_000, true, LOCK_STOP, false, null],
    [510_000, true, LOCK_STOP, false, 'profit_lock'],
  ];
  const ticks = rows.map(([bid]: readonly [number, ...unknown[]], i) =>
    tick(i * 1000, bid, { atr: 100_000 }),
  );
  // third row: 1 h window, overlap session (14:00 UTC), extreme regime → A 144 000
  const pos = position({ windowSec: 3600, windowEndMs: 3_600_000, openedAtMs: 14 * 3_600_000 });
  const lock = run(fn, pos, ticks);
  const trail = run(buildVolatilityTrail({})[0]!.fn, pos, ticks);

  test('the trigger and the stop follow the spec', () => {
    expect(entry + LOCK_TRIGGER).toBe(600_000);
    expect(LOCK_STOP).toBe(510_000);
    expect(trail[0]!.state).toMatchObject({ A: 144_000 });
  });

  test.each(rows.map((r, i) => [i + 1, ...r] as const))(
    'tick %i: bid %i',
    (i, _bid, locked, stop, active, decision) => {
      const r = lock[i - 1]!;
      expect(r.state).toEqual({ locked, stop });
      expect(trail[i - 1]!.state['active']).toBe(active);
      expect(trail[i - 1]!.decision).toBeNull();
      const first = [lock[i - 1]!, trail[i - 1]!].find((x) => x.decision !== null);
      expect(first?.decision?.reason ?? null).toBe(decision);
    },
  );

  test('journals PROFIT_LOCKED once, and the fire with the inputs that made it fire', () => {
    expect(lock.flatMap((r) => r.events.map((e) => e.event))).toEqual(['PROFIT_LOCKED', 'PROFIT_LOCK_FIRED']);
    expect(lock[1]!.events[0]!.data).toMatchObject({ bid: 610_000, stop: LOCK_STOP });
    expect(lock[4]!.events[0]!.data).toMatchObject({
      bid: 510_000,
      stop: LOCK_STOP,
      entry,
      state: { locked: true, stop: LOCK_STOP },
    });
    expect(lock[4]!.decision).toEqual({ reason: 'profit_lock', size: 'full' });
  });
});

describe('rules', () => {
  test.each([
    // entry, bid, tk, LOCK_OFFSET_TICKS, LOCK_TRIGGER_USDC
    [970_000, 995_000, 1_000, 1, 0.02], // entry and trigger on the 0.001 grid: a 0.001 lock
    [500_000, 600_000, 10_000, 3, 0.1],
    [500_000, 510_000, 10_000, 5, 0.01], // the clamp keeps it one tick under the bid
  ])(
    'entry %i, bid %i, tk %i, offset %i ticks: stop = clampStop(entry + offset × tk)',
    (e, bid, tk, n, trig) => {
      const f = buildProfitLock({ LOCK_OFFSET_TICKS: n, LOCK_TRIGGER_USDC: trig })[0]!.fn;
      const [r] = run(f, position({ entry: e }), [tick(0, bid, { tk })]);
      expect(r!.state).toEqual({ locked: true, stop: clampStop(e + n * tk, bid, tk) });
      expect(r!.decision).toBeNull();
    },
  );

  test('a lock triggered on the 0.001 grid over an entry on the 0.01 grid is a 0.01 tick (the bid can stop there)', () => {
    // found by replay --compare: entry 0.87, trigger at 0.98 (tk 0.001) → a 0.871 lock was gapped
    // through by the next 0.01-grid bid, 0.87, and sold below entry
    const [r] = run(fn, position({ entry: 870_000 }), [tick(0, 980_000, { tk: 1_000 })]);
    expect(r!.state).toEqual({ locked: true, stop: 880_000 });
  });

  test('does not lock one micro-USDC under the trigger', () => {
    const [r] = run(fn, position(), [tick(0, entry + LOCK_TRIGGER - 1)]);
    expect(r!.state).toEqual({ locked: false, stop: null });
    expect(r!.events).toEqual([]);
  });

  test('never lowers (nor moves) the stop, nor fires on the locking tick', () => {
    const r = run(fn, position(), [
      tick(0, 600_000),
      tick(1, 990_000, { tk: 1_000 }),
      tick(2, 700_000),
      tick(3, 515_000),
    ]);
    expect(r.map((x) => x.state['stop'])).toEqual([510_000, 510_000, 510_000, 510_000]);
    expect(r.every((x) => x.decision === null)).toBe(true);
    expect(r.flatMap((x) => x.events.map((e) => e.event))).toEqual(['PROFIT_LOCKED']);
  });

  test('a bid gapping through the lock fires (the lock bounds the trigger, not the fill)', () => {
    const r = run(fn, position(), [tick(0, 620_000), tick(1, 430_000)]);
    expect(r[1]!.decision).toEqual({ reason: 'profit_lock', size: 'full' });
    expect(r[1]!.events[0]!.data).toMatchObject({ bid: 430_000, stop: 510_000 });
  });
});

describe('purity', () => {
  test('the given state, position and tick are not mutated; equal inputs give equal outputs', () => {
    const state = Object.freeze({ locked: true, stop: 510_000 });
    const pos = Object.freeze(position());
    const t = Object.freeze(tick(0, 505_000));
    const a = fn(pos, t, 0, state);
    expect(fn(pos, t, 0, state)).toEqual(a);
    expect(state).toEqual({ locked: true, stop: 510_000 });
    expect(a.state).not.toBe(state);
  });

  test('the state is a flat JSON object', () => {
    const [r] = run(fn, position(), [tick(0, 650_000)]);
    for (const v of Object.values(r!.state)) expect(['number', 'boolean', 'string']).toContain(typeof v);
    expect(JSON.parse(JSON.stringify(r!.state))).toEqual(r!.state);
  });
});

describe('config (§4.2 table)', () => {
  test('defaults to the published values', () => {
    expect(profitLockSchema.parse({})).toEqual({
      ENABLE_GUARANTEED_PROFIT_LOCK: true,
      LOCK_TRIGGER_USDC: 0.1,
      LOCK_OFFSET_TICKS: 1,
    });
  });

  test('off = absent: the builder returns no policy', () => {
    expect(buildProfitLock({ ENABLE_GUARANTEED_PROFIT_LOCK: false })).toEqual([]);
  });

  test('on: one policy named profit_lock that needs no features', () => {
    const built = buildProfitLock({ LOCK_TRIGGER_USDC: 0.05 });
    expect(built.map((b) => [b.name, b.needsFeatures])).toEqual([['profit_lock', false]]);
    expect(typeof profitLockPolicy(profitLockSchema.parse({}))).toBe('function');
  });

  test.each([
    [{ LOCK_TRIGGER_USDC: 0 }, /\(0, 1\)/],
    [{ LOCK_TRIGGER_USDC: 1 }, /\(0, 1\)/],
    [{ LOCK_TRIGGER_USDC: '0.1' }, /decimal number/],
    [{ LOCK_OFFSET_TICKS: 0.5 }, /whole number/],
    [{ LOCK_OFFSET_TICKS: 0 }, /≥ 1/],
    [{ ENABLE_GUARANTEED_PROFIT_LOCK: 'yes' }, /true or false/],
    [{ EXTRA: 1 }, /EXTRA|unrecognized/i],
  ])('refuses %j', (block, msg) => {
    expect(() => profitLockSchema.parse(block)).toThrow(msg);
  });
});
