/**
 * `time_exit`: time-based exits (seed 002 layer 3, `../shared/docs/exit-policies.md` §5.2, plus the
 * issue's maximum hold and exit-before-end rules). Prices micro-USDC per share; times ms.
 */
import { z } from 'zod';
import { widen } from './params';
import type { BuiltPolicy, PolicyFn, PolicyPosition, PolicyTick } from '../policy';

/**
 * Config block of `time_exit`. The block's presence opts in; `ENABLE_TIME_EXIT: false` leaves the
 * policy unbuilt (spec §1.3 rule 8). Each rule is off at 0:
 * - `MAX_HOLD_LOSING_MS` (ms, spec §5.2) with `TREND_ALIGNED_HOLD_MULT` (≥ 1) for trend-aligned holds;
 * - `MAX_HOLD_MS` (ms): sell after this long whatever the P&L;
 * - `EXIT_BEFORE_END_S` (s): sell this long before the window end.
 * With the policy enabled, at least one rule must be on.
 */
export const timeExitSchema = z
  .object({
    ENABLE_TIME_EXIT: z.boolean().default(true),
    MAX_HOLD_LOSING_MS: z.number().int().min(0).default(0),
    TREND_ALIGNED_HOLD_MULT: z.number().min(1).default(2),
    MAX_HOLD_MS: z.number().int().min(0).default(0),
    EXIT_BEFORE_END_S: z.number().min(0).default(0),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.ENABLE_TIME_EXIT && c.MAX_HOLD_LOSING_MS === 0 && c.MAX_HOLD_MS === 0 && c.EXIT_BEFORE_END_S === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['ENABLE_TIME_EXIT'],
        message:
          'time_exit is enabled but every rule is off: set MAX_HOLD_LOSING_MS, MAX_HOLD_MS or EXIT_BEFORE_END_S above 0, or set ENABLE_TIME_EXIT to false',
      });
  });

/** `time_exit` config as written (defaults optional). */
export type TimeExitInput = z.input<typeof timeExitSchema>;
/** `time_exit` config after parsing (defaults filled). */
export type TimeExitParams = z.output<typeof timeExitSchema>;

/** `time_exit` keeps no state (spec §5.2). */
export type TimeExitState = Readonly<Record<string, never>>;

/** Which `time_exit` rule fired (the `rule` field of `TIME_EXIT_FIRED`). */
export type TimeExitRule = 'max_hold_losing' | 'max_hold' | 'before_end';

/**
 * True when the spot is on the held side of the window's start spot (spec §5.2): UP when
 * `spot ≥ start`, DOWN when `spot < start`; false when either is unknown.
 */
export function trendAligned(pos: PolicyPosition, tick: PolicyTick): boolean {
  const start = pos.windowStartSpot;
  if (tick.spot === null || start === null) return false;
  return pos.side === 'UP' ? tick.spot >= start : tick.spot < start;
}

/** The first rule that fires, with its inputs, or null; rules checked in the order of {@link TimeExitRule}. */
function firedRule(
  p: TimeExitParams,
  pos: PolicyPosition,
  tick: PolicyTick,
  nowMs: number,
): { rule: TimeExitRule; data: Record<string, unknown> } | null {
  const heldMs = nowMs - pos.openedAtMs;
  if (p.MAX_HOLD_LOSING_MS > 0 && tick.bid < pos.entry) {
    const aligned = trendAligned(pos, tick);
    const mult = aligned ? p.TREND_ALIGNED_HOLD_MULT : 1;
    const limitMs = Math.round(p.MAX_HOLD_LOSING_MS * mult);
    if (heldMs >= limitMs) {
      const data = {
        entry: pos.entry,
        heldMs,
        limitMs,
        mult,
        spot: tick.spot,
        startSpot: pos.windowStartSpot,
      };
      return { rule: 'max_hold_losing', data };
    }
  }
  if (p.MAX_HOLD_MS > 0 && heldMs >= p.MAX_HOLD_MS)
    return { rule: 'max_hold', data: { heldMs, limitMs: p.MAX_HOLD_MS } };
  if (p.EXIT_BEFORE_END_S > 0) {
    const exitAtMs = pos.windowEndMs - Math.round(p.EXIT_BEFORE_END_S * 1000);
    if (nowMs >= exitAtMs)
      return { rule: 'before_end', data: { nowMs, windowEndMs: pos.windowEndMs, exitAtMs } };
  }
  return null;
}

/**
 * The `time_exit` policy function, config bound. Fires (full) on the first of:
 * - `max_hold_losing` (spec §5.2): `bid < entry` and `nowMs − openedAtMs ≥ round(MAX_HOLD_LOSING_MS × m)`,
 *   `m = TREND_ALIGNED_HOLD_MULT` when {@link trendAligned}, else 1;
 * - `max_hold`: `nowMs − openedAtMs ≥ MAX_HOLD_MS`;
 * - `before_end`: `nowMs ≥ windowEndMs − round(EXIT_BEFORE_END_S × 1000)`.
 * Logs `TIME_EXIT_FIRED {rule, bid, …inputs, state}`. State stays `{}`.
 */
export function timeExitPolicy(params: TimeExitParams): PolicyFn<TimeExitState> {
  return (pos, tick, nowMs) => {
    const state: TimeExitState = {};
    const fired = firedRule(params, pos, tick, nowMs);
    if (fired === null) return { state, decision: null, events: [] };
    return {
      state,
      decision: { reason: 'time_exit', size: 'full' },
      events: [{ event: 'TIME_EXIT_FIRED', data: { rule: fired.rule, bid: tick.bid, ...fired.data, state } }],
    };
  };
}

/**
 * Builds `time_exit` from its config block: `[]` when `ENABLE_TIME_EXIT` is false (off = absent,
 * spec §1.3 rule 8), else one policy that reads no market features. The block is parsed here, so
 * raw or parsed config both work; an invalid block throws the schema's error.
 */
export function buildTimeExit(params: TimeExitInput): BuiltPolicy[] {
  const parsed = timeExitSchema.parse(params);
  if (!parsed.ENABLE_TIME_EXIT) return [];
  return [{ name: 'time_exit', fn: widen(timeExitPolicy(parsed)), needsFeatures: false }];
}
