/**
 * `profit_lock` (exit-policies.md §4.2, example B of §4.3): locks entry + one tick once the bid
 * reaches entry + 0.10, never lowers it, fires at or below it; off = absent; refusals; purity.
 */
import {
  buildProfitLock,
  profitLockPolicy,
  profitLockSchema,
} from '../../../src/trader/exits/policies/profit-lock';
import { position, run, tick } from '../../helpers/policy-fixtures';

const fn = buildProfitLock({})[0]!.fn;

describe('example B (entry 0.50, trigger 0.60)', () => {
  const rows: [number, boolean, number | null, string | null][] = [
    [550_000, false, null, null],
    [610_000, true, 510_000, null],
    [580_000, true, 510_000, null],
    [520_000, true, 510_000, null],
    [510_000, true, 510_000, 'profit_lock'],
  ];
  const results = run(
    fn,
    position(),
    rows.map(([bid], i) => tick(i * 1000, bid)),
  );
  test.each(rows.map((r, i) => [i + 1, ...r] as const))(
    'tick %i: bid %i',
    (i, _bid, locked, stop, decision) => {
      const r = results[i - 1]!;
      expect(r.state).toEqual({ locked, stop });
      expect(r.decision?.reason ?? null).toBe(decision);
    },
  );
  it('journals PROFIT_LOCKED once with its inputs, and the fire with the bid and stop', () => {
    expect(results.flatMap((r) => r.events.map((e) => e.event))).toEqual([
      'PROFIT_LOCKED',
      'PROFIT_LOCK_FIRED',
    ]);
    expect(results[1]!.events[0]!.data).toMatchObject({ bid: 610_000, stop: 510_000 });
    expect(results[4]!.events[0]!.data).toMatchObject({ bid: 510_000, stop: 510_000 });
  });
});

describe('rules', () => {
  it('locks with the tick size of the triggering tick (0.001 above 0.96)', () => {
    const [r] = run(fn, position({ entry: 870_000 }), [tick(0, 975_000, { tk: 1_000 })]);
    expect(r!.state).toEqual({ locked: true, stop: 871_000 });
  });
  it('LOCK_OFFSET_TICKS moves the lock; the clamp keeps it a tick under the bid', () => {
    const f = buildProfitLock({ LOCK_OFFSET_TICKS: 3 })[0]!.fn;
    expect(run(f, position(), [tick(0, 600_000)])[0]!.state).toEqual({ locked: true, stop: 530_000 });
    const g = buildProfitLock({ LOCK_TRIGGER_USDC: 0.01, LOCK_OFFSET_TICKS: 5 })[0]!.fn;
    expect(run(g, position(), [tick(0, 510_000)])[0]!.state).toEqual({ locked: true, stop: 500_000 });
  });
  it('never lowers the stop, nor fires on the locking tick', () => {
    const r = run(fn, position(), [tick(0, 600_000), tick(1, 990_000, { tk: 1_000 }), tick(2, 515_000)]);
    expect(r.map((x) => x.state['stop'])).toEqual([510_000, 510_000, 510_000]);
    expect(r.every((x) => x.decision === null)).toBe(true);
  });
  it('is pure: the given state is not mutated, equal inputs give equal outputs', () => {
    const state = Object.freeze({ locked: true, stop: 510_000 });
    const a = fn(position(), tick(0, 505_000), 0, state);
    expect(fn(position(), tick(0, 505_000), 0, state)).toEqual(a);
    expect(state).toEqual({ locked: true, stop: 510_000 });
  });
});

describe('config', () => {
  it('defaults to the published values; off = absent', () => {
    expect(profitLockSchema.parse({})).toEqual({
      ENABLE_GUARANTEED_PROFIT_LOCK: true,
      LOCK_TRIGGER_USDC: 0.1,
      LOCK_OFFSET_TICKS: 1,
    });
    expect(buildProfitLock({ ENABLE_GUARANTEED_PROFIT_LOCK: false })).toEqual([]);
    expect(typeof profitLockPolicy).toBe('function');
  });
  it.each([
    [{ LOCK_TRIGGER_USDC: 0 }, /LOCK_TRIGGER_USDC|\(0, 1\)/],
    [{ LOCK_TRIGGER_USDC: 1 }, /\(0, 1\)/],
    [{ LOCK_OFFSET_TICKS: 0.5 }, /whole number/],
    [{ LOCK_OFFSET_TICKS: 0 }, /≥ 1/],
    [{ EXTRA: 1 }, /EXTRA|unrecognized/i],
  ])('refuses %j', (block, msg) => {
    expect(() => profitLockSchema.parse(block)).toThrow(msg);
  });
});
