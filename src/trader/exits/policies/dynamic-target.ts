/**
 * `target_trail` and `dynamic_target`: a profit target fixed at entry, with an ATR or band-width
 * trail once part of it is made (seed 004, `../shared/docs/exit-policies.md` §6.2). Prices, stops
 * and targets are integer micro-USDC per share; times ms.
 */
import { z } from 'zod';
import { widen } from './params';
import { capTarget, ratchetStop } from '../policy';
import type { BuiltPolicy, PolicyEvent, PolicyFn } from '../policy';

/** Trailing modes of `target_trail` (spec §6.2). */
export type TrailingMode = 'none' | 'atr' | 'bbw';

/**
 * Config block of the dynamic-target family (spec §6.2 table). The block's presence opts in;
 * `ENABLE_DYNAMIC_TARGETS: false` builds nothing (spec §1.3 rule 8). `TRAILING_MODE` absent means
 * the profile's: DIRECTIONAL → `atr`, SHORT_VOL → `bbw`. Fractions are of max profit
 * (`*_INITIAL_PNL`) or of the target profit (`TRAILING_ACTIVATION`, `TRAILING_PROFIT_LOCK`).
 */
export const dynamicTargetSchema = z
  .object({
    ENABLE_DYNAMIC_TARGETS: z.boolean().default(true),
    PROFILE: z.enum(['DIRECTIONAL', 'SHORT_VOL']).default('DIRECTIONAL'),
    DIRECTIONAL_INITIAL_PNL: z.number().gt(0).max(1).default(0.6),
    SHORT_VOL_INITIAL_PNL: z.number().gt(0).max(1).default(0.5),
    ENABLE_TRAILING: z.boolean().default(true),
    TRAILING_MODE: z.enum(['none', 'atr', 'bbw']).optional(),
    TRAILING_ACTIVATION: z.number().gt(0).max(1).default(0.5),
    TRAILING_PROFIT_LOCK: z.number().min(0.5).max(0.7).default(0.6),
    BBW_EXPANSION_RATIO: z.number().gt(1).default(1.8),
    ATR_TRAIL_MULT: z.number().positive().default(0.5),
    TRAIL_UPDATE_MS: z.number().int().min(0).default(0),
    USE_PROFILE_STOP_LOSS: z.boolean().default(false),
  })
  .strict();

/** Dynamic-target config as written (defaults optional). */
export type DynamicTargetInput = z.input<typeof dynamicTargetSchema>;
/** Dynamic-target config after parsing (defaults filled). */
export type DynamicTargetParams = z.output<typeof dynamicTargetSchema>;

/** The trailing mode in force: `TRAILING_MODE`, else the profile's (DIRECTIONAL → atr, SHORT_VOL → bbw; spec §6.2). */
export function trailingMode(params: DynamicTargetParams): TrailingMode {
  return params.TRAILING_MODE ?? (params.PROFILE === 'SHORT_VOL' ? 'bbw' : 'atr');
}

/**
 * The profile's stop-loss fraction of max loss (= of entry) for the strategy's `stop_loss` (spec
 * §6.2): 0.50 for DIRECTIONAL, 0.35 for SHORT_VOL when `USE_PROFILE_STOP_LOSS`, else null (keep
 * the strategy's own).
 */
export function profileStopLossPct(params: DynamicTargetInput): number | null {
  const p = dynamicTargetSchema.parse(params);
  if (!p.USE_PROFILE_STOP_LOSS) return null;
  return p.PROFILE === 'SHORT_VOL' ? 0.35 : 0.5;
}

/** Target prices of a position (micro-USDC per share), all fixed at its first call. */
export interface TargetLevels {
  /** `min(entry + round(INITIAL_PNL × (1 000 000 − entry)), 999 000)`. */
  readonly target: number;
  /** `target − entry`. */
  readonly targetProfit: number;
  /** Profit that activates the trail: `round(TRAILING_ACTIVATION × targetProfit)`. */
  readonly activationProfit: number;
  /** Band-lock price: `entry + round(TRAILING_PROFIT_LOCK × targetProfit)`. */
  readonly lockPrice: number;
}

/**
 * The target levels for `entry` (micro-USDC per share; spec §6.2). A pure function of entry and
 * config, so `target_trail` and `dynamic_target` each derive the same target in their own state.
 */
export function targetLevels(params: DynamicTargetParams, entry: number): TargetLevels {
  const initialPnl =
    params.PROFILE === 'SHORT_VOL' ? params.SHORT_VOL_INITIAL_PNL : params.DIRECTIONAL_INITIAL_PNL;
  const target = capTarget(entry + Math.round(initialPnl * (1_000_000 - entry)));
  const targetProfit = target - entry;
  return {
    target,
    targetProfit,
    activationProfit: Math.round(params.TRAILING_ACTIVATION * targetProfit),
    lockPrice: entry + Math.round(params.TRAILING_PROFIT_LOCK * targetProfit),
  };
}

/**
 * State of `target_trail` (spec §6.2): `target`, `lockPrice` (micro-USDC), `activationProfit`
 * (micro-USDC over entry), `active` once the trail is on, `stop` (micro-USDC, null before the
 * first raise), `lastUpdateMs` the last ATR refresh (ms, null before it).
 */
export type TargetTrailState = Readonly<{
  target: number;
  activationProfit: number;
  lockPrice: number;
  active: boolean;
  stop: number | null;
  lastUpdateMs: number | null;
}>;

/**
 * The `target_trail` policy function for `mode` (`atr` or `bbw`), config bound (spec §6.2). Logs
 * `TARGET_SET` on the first call. With `profit = bid − entry`:
 * 1. not active: activates when `profit ≥ activationProfit` (`TRAIL_ACTIVATED`), nothing else that call;
 * 2. `atr`: with `atr` known and out of the `TRAIL_UPDATE_MS` throttle, the stop ratchets to
 *    `clampStop(bid − round(ATR_TRAIL_MULT × atr))`;
 * 3. `bbw`: when `bandWidth > round(BBW_EXPANSION_RATIO × bandWidthAvg)` and `bid > entry`, the stop
 *    ratchets to `clampStop(lockPrice)` (`BAND_LOCK {width, avg, stop}` when it moves);
 * 4. fires (full) when `bid ≤ stop` (`TARGET_TRAIL_FIRED {mode, bid, stop, target, lockPrice, state}`).
 */
export function targetTrailPolicy(
  params: DynamicTargetParams,
  mode: 'atr' | 'bbw',
): PolicyFn<TargetTrailState> {
  return (pos, tick, nowMs, state) => {
    const { bid, tk } = tick;
    const events: PolicyEvent[] = [];
    let s: TargetTrailState;
    if (state === null) {
      const { target, activationProfit, lockPrice } = targetLevels(params, pos.entry);
      s = { target, activationProfit, lockPrice, active: false, stop: null, lastUpdateMs: null };
      events.push({ event: 'TARGET_SET', data: { target, activationProfit, lockPrice, mode } });
    } else s = state;
    const profit = bid - pos.entry;

    // Rule 1: activation; the activating call does nothing else.
    if (!s.active) {
      if (profit < s.activationProfit) return { state: s, decision: null, events };
      events.push({ event: 'TRAIL_ACTIVATED', data: { bid, profit, activationProfit: s.activationProfit } });
      return { state: { ...s, active: true }, decision: null, events };
    }

    let { stop, lastUpdateMs } = s;
    const throttleOver =
      params.TRAIL_UPDATE_MS === 0 || lastUpdateMs === null || nowMs - lastUpdateMs >= params.TRAIL_UPDATE_MS;
    // Rule 2: ATR trail (only raising is throttled).
    if (mode === 'atr' && tick.atr !== null && throttleOver) {
      stop = ratchetStop(stop, bid - Math.round(params.ATR_TRAIL_MULT * tick.atr), bid, tk);
      lastUpdateMs = nowMs;
    }
    // Rule 3: band-width lock.
    const { bandWidth: width, bandWidthAvg: avg } = tick;
    if (
      mode === 'bbw' &&
      width !== null &&
      avg !== null &&
      width > Math.round(params.BBW_EXPANSION_RATIO * avg) &&
      bid > pos.entry
    ) {
      const before = stop;
      stop = ratchetStop(stop, s.lockPrice, bid, tk);
      if (stop !== before) events.push({ event: 'BAND_LOCK', data: { width, avg, stop } });
    }

    const next: TargetTrailState = { ...s, stop, lastUpdateMs };
    // Rule 4: fire.
    if (stop !== null && bid <= stop) {
      const data = { mode, bid, stop, target: s.target, lockPrice: s.lockPrice, state: next };
      events.push({ event: 'TARGET_TRAIL_FIRED', data });
      return { state: next, decision: { reason: 'target_trail', size: 'full' }, events };
    }
    return { state: next, decision: null, events };
  };
}

/** State of `dynamic_target`: the target (micro-USDC per share), fixed at the first call (spec §6.2). */
export type DynamicTargetState = Readonly<{ target: number }>;

/**
 * The `dynamic_target` policy function, config bound (spec §6.2): fires (full) when
 * `bid ≥ target`, logging `DYNAMIC_TARGET_FIRED {bid, target}`.
 */
export function dynamicTargetPolicy(params: DynamicTargetParams): PolicyFn<DynamicTargetState> {
  return (pos, tick, _nowMs, state) => {
    const next: DynamicTargetState = state ?? { target: targetLevels(params, pos.entry).target };
    if (tick.bid < next.target) return { state: next, decision: null, events: [] };
    return {
      state: next,
      decision: { reason: 'dynamic_target', size: 'full' },
      events: [{ event: 'DYNAMIC_TARGET_FIRED', data: { bid: tick.bid, target: next.target } }],
    };
  };
}

/**
 * Builds the family from its config block (spec §6.2), in priority order: `target_trail` (only
 * with `ENABLE_TRAILING` and a mode other than `none`; reads `atr` / band width, so
 * `needsFeatures: true`), then `dynamic_target` (`needsFeatures: false`). `[]` when
 * `ENABLE_DYNAMIC_TARGETS` is false (spec §1.3 rule 8). The block is parsed here, so raw or parsed
 * config both work; an invalid block throws the schema's error.
 */
export function buildDynamicTarget(params: DynamicTargetInput): BuiltPolicy[] {
  const parsed = dynamicTargetSchema.parse(params);
  if (!parsed.ENABLE_DYNAMIC_TARGETS) return [];
  const mode = trailingMode(parsed);
  const built: BuiltPolicy[] = [];
  if (parsed.ENABLE_TRAILING && mode !== 'none')
    built.push({ name: 'target_trail', fn: widen(targetTrailPolicy(parsed, mode)), needsFeatures: true });
  built.push({ name: 'dynamic_target', fn: widen(dynamicTargetPolicy(parsed)), needsFeatures: false });
  return built;
}
