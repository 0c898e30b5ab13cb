/**
 * Fixtures of the exit-policy tests (issue #12): a policy position and tick with the spec's usual
 * values (UP, entry 0.50, 10 shares, a 15-minute window from t = 0, tick size 0.01), and a runner
 * that feeds ticks in order carrying the state, as the trader does.
 */
import type {
  PolicyFn,
  PolicyPosition,
  PolicyResult,
  PolicyState,
  PolicyTick,
} from '../../src/trader/exits/policy';

/** A position: UP, entry 0.50, 10 shares, opened at 0 in a 15-minute BTC window. */
export function position(over: Partial<PolicyPosition> = {}): PolicyPosition {
  return {
    key: 'k',
    crypto: 'BTC',
    side: 'UP',
    entry: 500_000,
    shares: 10_000_000,
    openedAtMs: 0,
    windowSec: 900,
    windowEndMs: 900_000,
    windowStartSpot: null,
    partialsDone: [],
    ...over,
  };
}

/** A tick at `tsMs` with bid `bid` (micro-USDC), ask one tick above, tick size 0.01, no features. */
export function tick(tsMs: number, bid: number, over: Partial<PolicyTick> = {}): PolicyTick {
  return {
    tsMs,
    bid,
    ask: bid + 10_000,
    tk: 10_000,
    spot: null,
    vol: null,
    atr: null,
    bandWidth: null,
    bandWidthAvg: null,
    ...over,
  };
}

/** Feeds `ticks` in order (now = the tick's time), carrying the state; returns each call's result. */
export function run(fn: PolicyFn, pos: PolicyPosition, ticks: readonly PolicyTick[]): PolicyResult[] {
  let state: PolicyState | null = null;
  return ticks.map((t) => {
    const r = fn(pos, t, t.tsMs, state);
    state = r.state;
    return r;
  });
}
