/**
 * `step_lock`: profit locked in steps, then a tight ATR trail after the cap (seed 002,
 * `../shared/docs/exit-policies.md` §5.2 rules 1–3). Prices, stops and locks are integer micro-USDC
 * per share; times ms.
 */
import { z } from 'zod';
import { micro, widen } from './params';
import { ratchetStop } from '../policy';
import type { BuiltPolicy, PolicyEvent, PolicyFn } from '../policy';

/**
 * Config block of `step_lock` (spec §5.2 table). USDC values are per share; the block's presence
 * opts in and `ENABLE_STEP_TRAILING: false` leaves the policy unbuilt (spec §1.3 rule 8).
 * Cross-field checks (absolute mode only, as percent mode ignores `STEP_INCREMENT_USDC`):
 * `MAX_TRAIL_CAP_USDC ≥ STEP_INCREMENT_USDC` and `HYSTERESIS_USDC < STEP_INCREMENT_USDC`.
 */
export const stepLockSchema = z
  .object({
    ENABLE_STEP_TRAILING: z.boolean().default(true),
    STEP_INCREMENT_USDC: z.number().min(0.001).default(0.02),
    MAX_TRAIL_CAP_USDC: z.number().positive().default(0.2),
    TRAIL_START_NET_USDC: z.number().min(0).default(0.04),
    FEE_BUFFER_USDC: z.number().min(0).default(0.02),
    HYSTERESIS_USDC: z.number().min(0).default(0.01),
    STEP_COOLDOWN_MS: z.number().int().min(0).default(20_000),
    CAP_HANDOFF_TIGHT_ATR: z.boolean().default(true),
    CAP_TRAIL_MULT: z.number().positive().default(0.55),
    STEP_MODE_PERCENT: z.boolean().default(false),
    STEP_INCREMENT_PCT: z.number().gt(0).lt(1).default(0.04),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.STEP_MODE_PERCENT) return;
    const step = micro(c.STEP_INCREMENT_USDC);
    if (micro(c.MAX_TRAIL_CAP_USDC) < step)
      ctx.addIssue({
        code: 'custom',
        path: ['MAX_TRAIL_CAP_USDC'],
        message: `MAX_TRAIL_CAP_USDC (${c.MAX_TRAIL_CAP_USDC}) must be ≥ STEP_INCREMENT_USDC (${c.STEP_INCREMENT_USDC}): raise the cap or lower the step`,
      });
    if (micro(c.HYSTERESIS_USDC) >= step)
      ctx.addIssue({
        code: 'custom',
        path: ['HYSTERESIS_USDC'],
        message: `HYSTERESIS_USDC (${c.HYSTERESIS_USDC}) must be < STEP_INCREMENT_USDC (${c.STEP_INCREMENT_USDC}): lower the hysteresis or raise the step`,
      });
  });

/** `step_lock` config as written (defaults optional). */
export type StepLockInput = z.input<typeof stepLockSchema>;
/** `step_lock` config after parsing (defaults filled). */
export type StepLockParams = z.output<typeof stepLockSchema>;

/**
 * State of `step_lock` (spec §5.2): `step` the step size in force (micro-USDC, fixed on the first
 * call), `lock` the profit locked over entry (micro-USDC, null before the first step), `stop` the
 * stop (micro-USDC, null before the first step), `lastStepMs` the time of the last step (ms),
 * `handedOff` true once the cap handed the stop to the ATR trail.
 */
export type StepLockState = Readonly<{
  step: number;
  lock: number | null;
  stop: number | null;
  lastStepMs: number | null;
  handedOff: boolean;
}>;

/**
 * The `step_lock` policy function, config bound (spec §5.2). Each call, `profit = bid − entry`:
 * 1. not handed off and `profit ≥ TRAIL_START_NET + FEE_BUFFER`: `n = floor((profit − HYSTERESIS) / step)`;
 *    if `n ≥ 1`, `lock = min((n − 1) × step, CAP)`; a lock above the last one, out of cooldown, ratchets
 *    the stop to `clampStop(entry + lock)` (`STEP_LOCKED`); a deferred raise is not remembered; reaching
 *    the cap with `CAP_HANDOFF_TIGHT_ATR` hands off (`CAP_HANDOFF`);
 * 2. handed off and `atr` known: the stop ratchets to `clampStop(bid − round(CAP_TRAIL_MULT × atr))`;
 * 3. fires (full) when `bid ≤ stop` (`STEP_LOCK_FIRED`).
 */
export function stepLockPolicy(params: StepLockParams): PolicyFn<StepLockState> {
  const start = micro(params.TRAIL_START_NET_USDC) + micro(params.FEE_BUFFER_USDC);
  const hysteresis = micro(params.HYSTERESIS_USDC);
  const cap = micro(params.MAX_TRAIL_CAP_USDC);
  const fixedStep = micro(params.STEP_INCREMENT_USDC);

  return (pos, tick, nowMs, state) => {
    const { bid, tk, atr } = tick;
    const events: PolicyEvent[] = [];
    const prev: StepLockState = state ?? {
      step: params.STEP_MODE_PERCENT
        ? Math.max(tk, Math.round(pos.entry * params.STEP_INCREMENT_PCT))
        : fixedStep,
      lock: null,
      stop: null,
      lastStepMs: null,
      handedOff: false,
    };
    const { step } = prev;
    let { lock, stop, lastStepMs, handedOff } = prev;
    const profit = bid - pos.entry;

    // Rule 1: step floors.
    if (!handedOff && profit >= start) {
      const n = Math.floor((profit - hysteresis) / step);
      const candidate = n >= 1 ? Math.min((n - 1) * step, cap) : null;
      const higher = candidate !== null && (lock === null || candidate > lock);
      const outOfCooldown = lastStepMs === null || nowMs - lastStepMs >= params.STEP_COOLDOWN_MS;
      // A raise skipped for lack of room under the bid (spec §1.3 rule 2) is deferred like a cooldown.
      if (candidate !== null && higher && outOfCooldown && bid - tk >= tk) {
        stop = ratchetStop(stop, pos.entry + candidate, bid, tk);
        lock = candidate;
        lastStepMs = nowMs;
        events.push({ event: 'STEP_LOCKED', data: { n, lock, stop } });
        if (lock === cap && params.CAP_HANDOFF_TIGHT_ATR) {
          handedOff = true;
          events.push({ event: 'CAP_HANDOFF', data: { lock, atr } });
        }
      }
    }

    // Rule 2: tight ATR trail after the hand-off (no cooldown).
    if (handedOff && atr !== null) {
      const gap = Math.round(params.CAP_TRAIL_MULT * atr);
      stop = ratchetStop(stop, bid - gap, bid, tk);
    }

    const next: StepLockState = { step, lock, stop, lastStepMs, handedOff };
    // Rule 3: fire.
    if (stop !== null && bid <= stop) {
      events.push({ event: 'STEP_LOCK_FIRED', data: { bid, stop, lock, state: next } });
      return { state: next, decision: { reason: 'step_lock', size: 'full' }, events };
    }
    return { state: next, decision: null, events };
  };
}

/**
 * Builds `step_lock` from its config block (spec §5.2): `[]` when `ENABLE_STEP_TRAILING` is false
 * (off = absent, spec §1.3 rule 8), else one policy reading `atr` (`needsFeatures: true`). The block
 * is parsed here, so raw or parsed config both work; an invalid block throws the schema's error.
 */
export function buildStepLock(params: StepLockInput): BuiltPolicy[] {
  const parsed = stepLockSchema.parse(params);
  if (!parsed.ENABLE_STEP_TRAILING) return [];
  return [{ name: 'step_lock', fn: widen(stepLockPolicy(parsed)), needsFeatures: true }];
}
