/**
 * `volatility_trail`: the volatility-adaptive trail (seed 001, exit-policies.md §4.2). Two stages
 * with the default trail's shape — an activation distance `A` and a trail distance `D`, absolute
 * micro-USDC per share — computed once, on the first call for the position, and stored with it:
 * - method `fixed` (the market is in FORCE_FIXED_TRAILING_PAIRS, or `atr` is not known yet):
 *   `A = BASE_ACTIVATION`, `D = BASE_TRAIL`;
 * - method `dynamic_volatility`: regime from `atr` (low < 0.035 ≤ normal < 0.065 ≤ high < 0.095 ≤
 *   extreme), scalp when the window is ≤ SCALP_MAX_WINDOW_SEC, `vf` from the regime table (scalp
 *   or regular), `sf` the session factor of the UTC hour of the entry (00–07 asian, 07–13 london,
 *   13–16 overlap, 16–21 new_york, 21–24 asian; 1 with the adjustment off), and
 *   `stage(b) = max(tk, round(max(atr × MIN_MULT, min(b × vf × sf, atr × MAX_MULT))))`.
 * Every call: `hwm = max(hwm, bid)` (from entry); active once `bid ≥ entry + A`; then the stop
 * ratchets to `clampStop(hwm − D)`; fires (full) when `bid ≤ stop`.
 */
import { z } from 'zod';
import {
  ratchetStop,
  type BuiltPolicy,
  type PolicyEvent,
  type PolicyFn,
  type PolicyPosition,
} from '../policy';
import { boundedNumber, flag, micro, widen } from './params';

const factor = () => boundedNumber({ gt: 0 });
const regimeTable = (low: number, normal: number, high: number, extreme: number) =>
  z
    .object({
      low: factor().default(low),
      normal: factor().default(normal),
      high: factor().default(high),
      extreme: factor().default(extreme),
    })
    .strict()
    .default({ low, normal, high, extreme });

/** The market regimes of the stage table (spec §4.1). */
export type Regime = 'low' | 'normal' | 'high' | 'extreme';
/** The trading sessions of the session factors (spec §4.2, UTC hours). */
export type Session = 'asian' | 'london' | 'overlap' | 'new_york';

/**
 * Config block `volatility_trail` (spec §4.2 table). The block's presence opts in;
 * `ENABLE_DYNAMIC_TRAILING: false` leaves it unbuilt (off = absent). Amounts USDC per share.
 */
export const volatilityTrailSchema = z
  .object({
    ENABLE_DYNAMIC_TRAILING: flag().default(true),
    ENABLE_SESSION_ADJUSTMENT: flag().default(true),
    VOLATILITY_MULTIPLIERS: regimeTable(0.7, 1.0, 1.3, 1.6),
    SCALP_VOLATILITY_MULTIPLIERS: regimeTable(0.6, 0.8, 1.0, 1.2),
    SESSION_MULTIPLIERS: z
      .object({
        asian: factor().default(0.9),
        london: factor().default(1.1),
        new_york: factor().default(1.1),
        overlap: factor().default(1.2),
      })
      .strict()
      .default({ asian: 0.9, london: 1.1, new_york: 1.1, overlap: 1.2 }),
    DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER: factor().default(0.8),
    DYNAMIC_TRAILING_ATR_MAX_MULTIPLIER: factor().default(4.0),
    FORCE_FIXED_TRAILING_PAIRS: z
      .array(z.string().regex(/^[A-Z0-9]+(:\d+)?$/, 'expected `BTC` or `BTC:900` (crypto[:window seconds])'))
      .default([]),
    BASE_ACTIVATION_USDC: boundedNumber({ gt: 0, lt: 1 }).default(0.075),
    BASE_TRAIL_USDC: boundedNumber({ gt: 0, lt: 1 }).default(0.05),
    VOL_REGIME_BOUNDS_USDC: z
      .array(boundedNumber({ gt: 0, lt: 1 }))
      .length(3)
      .default([0.035, 0.065, 0.095]),
    SCALP_MAX_WINDOW_SEC: boundedNumber({ gt: 0 }, true).default(900),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER > c.DYNAMIC_TRAILING_ATR_MAX_MULTIPLIER)
      ctx.addIssue({
        code: 'custom',
        path: ['DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER'],
        message: `DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER (${c.DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER}) must be ≤ DYNAMIC_TRAILING_ATR_MAX_MULTIPLIER (${c.DYNAMIC_TRAILING_ATR_MAX_MULTIPLIER})`,
      });
    const b = c.VOL_REGIME_BOUNDS_USDC;
    if (!(b[0]! < b[1]! && b[1]! < b[2]!))
      ctx.addIssue({
        code: 'custom',
        path: ['VOL_REGIME_BOUNDS_USDC'],
        message: `VOL_REGIME_BOUNDS_USDC must be strictly increasing (low/normal, normal/high, high/extreme), got ${JSON.stringify(b)}`,
      });
  });

/** `volatility_trail` block as written. */
export type VolatilityTrailInput = z.input<typeof volatilityTrailSchema>;
/** `volatility_trail` block after parsing. */
export type VolatilityTrailParams = z.output<typeof volatilityTrailSchema>;

/**
 * State (spec §4.2): the stages computed once (`method`, `atr`, `regime`, `session`, `scalp`, `A`,
 * `D`; micro-USDC) and the trail (`hwm`, `active`, `stop`).
 */
export type VolatilityTrailState = Readonly<{
  method: 'fixed' | 'dynamic_volatility';
  atr: number | null;
  regime: Regime | null;
  session: Session | null;
  scalp: boolean;
  A: number;
  D: number;
  hwm: number;
  active: boolean;
  stop: number | null;
}>;

/** Regime of `atr` (micro-USDC) with `bounds` (micro-USDC, increasing). */
export function regimeOfAtr(atr: number, bounds: readonly number[]): Regime {
  if (atr < bounds[0]!) return 'low';
  if (atr < bounds[1]!) return 'normal';
  if (atr < bounds[2]!) return 'high';
  return 'extreme';
}

/** Session of a UTC hour (spec §4.2). */
export function sessionOfHour(hour: number): Session {
  if (hour < 7 || hour >= 21) return 'asian';
  if (hour < 13) return 'london';
  if (hour < 16) return 'overlap';
  return 'new_york';
}

/** True when FORCE_FIXED_TRAILING_PAIRS lists the position's market (`BTC` or `BTC:900`). */
function forcedFixed(list: readonly string[], pos: PolicyPosition): boolean {
  return list.includes(pos.crypto) || list.includes(`${pos.crypto}:${pos.windowSec}`);
}

/**
 * The `volatility_trail` policy, config bound (spec §4.2): a pure {@link PolicyFn} over
 * {@link VolatilityTrailState}; reads `tick.atr` on the first call only. Events (micro-USDC):
 * `STAGES_CALCULATED {method, atr, regime, session, scalp, A, D}` on the first call,
 * `TRAIL_ACTIVATED {bid, A}`, and `VOLATILITY_TRAIL_FIRED {bid, stop, hwm, D, state}` with its full
 * decision.
 */
export function volatilityTrailPolicy(params: VolatilityTrailParams): PolicyFn<VolatilityTrailState> {
  const baseA = micro(params.BASE_ACTIVATION_USDC);
  const baseD = micro(params.BASE_TRAIL_USDC);
  const bounds = params.VOL_REGIME_BOUNDS_USDC.map(micro);
  const stagesOf = (pos: PolicyPosition, atr: number | null, tk: number): VolatilityTrailState => {
    const base = { hwm: pos.entry, active: false, stop: null };
    if (atr === null || forcedFixed(params.FORCE_FIXED_TRAILING_PAIRS, pos))
      return { ...base, method: 'fixed', atr, regime: null, session: null, scalp: false, A: baseA, D: baseD };
    const regime = regimeOfAtr(atr, bounds);
    const scalp = pos.windowSec <= params.SCALP_MAX_WINDOW_SEC;
    const vf = (scalp ? params.SCALP_VOLATILITY_MULTIPLIERS : params.VOLATILITY_MULTIPLIERS)[regime];
    const session = params.ENABLE_SESSION_ADJUSTMENT
      ? sessionOfHour(Math.floor(pos.openedAtMs / 3_600_000) % 24)
      : null;
    const sf = session === null ? 1 : params.SESSION_MULTIPLIERS[session];
    const stage = (b: number): number =>
      Math.max(
        tk,
        Math.round(
          Math.max(
            atr * params.DYNAMIC_TRAILING_ATR_MIN_MULTIPLIER,
            Math.min(b * vf * sf, atr * params.DYNAMIC_TRAILING_ATR_MAX_MULTIPLIER),
          ),
        ),
      );
    return {
      ...base,
      method: 'dynamic_volatility',
      atr,
      regime,
      session,
      scalp,
      A: stage(baseA),
      D: stage(baseD),
    };
  };
  return (pos, tick, _nowMs, state) => {
    const { bid, tk } = tick;
    const events: PolicyEvent[] = [];
    let s = state;
    if (s === null) {
      s = stagesOf(pos, tick.atr, tk);
      const { method, atr, regime, session, scalp, A, D } = s;
      events.push({ event: 'STAGES_CALCULATED', data: { method, atr, regime, session, scalp, A, D } });
    }
    const hwm = Math.max(s.hwm, bid);
    let active = s.active;
    if (!active && bid >= pos.entry + s.A) {
      active = true;
      events.push({ event: 'TRAIL_ACTIVATED', data: { bid, A: s.A } });
    }
    const stop = active ? ratchetStop(s.stop, hwm - s.D, bid, tk) : s.stop;
    const next: VolatilityTrailState = { ...s, hwm, active, stop };
    if (stop !== null && bid <= stop) {
      events.push({ event: 'VOLATILITY_TRAIL_FIRED', data: { bid, stop, hwm, D: s.D, state: next } });
      return { state: next, decision: { reason: 'volatility_trail', size: 'full' }, events };
    }
    return { state: next, decision: null, events };
  };
}

/** Builds `volatility_trail` from its block: `[]` when switched off. @throws {ZodError} on a bad block. */
export function buildVolatilityTrail(params: VolatilityTrailInput): BuiltPolicy[] {
  const p = volatilityTrailSchema.parse(params);
  if (!p.ENABLE_DYNAMIC_TRAILING) return [];
  return [{ name: 'volatility_trail', fn: widen(volatilityTrailPolicy(p)), needsFeatures: true }];
}
