/**
 * `trail_exit` and `scale_out`: HWM engagement with scale-out (seed 000_7393fad4fa8ac31a.txt,
 * `../shared/docs/exit-policies.md` §3, adapted in §3.2). Prices, stops and targets are integer
 * micro-USDC per share; sizes micro-shares; notionals micro-USDC; times ms.
 *
 * - `trail_exit` (§3.2): engages when `bid ≥ Math.round(entry * (1 + TRAIL_ENGAGEMENT_PCT))`; from
 *   then the HWM follows every higher bid and the stop ratchets (§1.3 rule 2) to
 *   `Math.round(hwm * (1 - TRAIL_PCT))`, clamped to at least one tick under the bid; it sells the
 *   whole position when `bid ≤ stop` (§1.3 rule 3).
 * - `scale_out` (§3.2): while `scale_out` is not in `partialsDone` and
 *   `bid ≥ tp = capTarget(Math.round(entry * (1 + TP_PCT)))`, sells `floor(shares × SCALE_OUT_PCT)`
 *   (down to 0.01 share), raised to the smallest part worth the venue minimum at the bid, or the whole
 *   position when the part or the rest would not be sellable (§1.3 rule 6; design §7).
 */
import { z } from 'zod';
import { boundedNumber, widen } from './params';
import {
  capTarget,
  floorShares,
  ratchetStop,
  type BuiltPolicy,
  type PolicyEvent,
  type PolicyFn,
  type PolicyPosition,
} from '../policy';

/**
 * Config block `trail_exit` of a policy set (spec §3.1 table, §3.2). The block's presence opts in;
 * `TRAILING_ENABLED: false` leaves both policies unbuilt (off = absent, spec §1.3 rule 8).
 * - `TRAIL_PCT` (0, 1), default 0.05: give-back from the HWM that fires `trail_exit`;
 * - `SCALE_OUT_PCT` (0, 1), default 0.5: share of the held shares `scale_out` sells;
 * - `TRAIL_ENGAGEMENT_PCT` (0, 2), default 0.05: rise above entry before the HWM is tracked;
 * - `TP_PCT` (0, 2), default 0.10: rise above entry that triggers `scale_out`;
 * - `MIN_ORDER_NOTIONAL_USDC` (> 0, USDC), default 1: the venue's minimum order notional
 *   (design §7), used by the scale-out sizing rule (§3.2).
 */
export const trailExitSchema = z
  .object({
    TRAILING_ENABLED: z
      .boolean({ error: (iss) => `expected JSON true or false, got ${JSON.stringify(iss.input)}` })
      .default(true),
    TRAIL_PCT: boundedNumber({ gt: 0, lt: 1 }).default(0.05),
    SCALE_OUT_PCT: boundedNumber({ gt: 0, lt: 1 }).default(0.5),
    TRAIL_ENGAGEMENT_PCT: boundedNumber({ gt: 0, lt: 2 }).default(0.05),
    TP_PCT: boundedNumber({ gt: 0, lt: 2 }).default(0.1),
    MIN_ORDER_NOTIONAL_USDC: boundedNumber({ gt: 0 }).default(1),
  })
  .strict();

/** `trail_exit` block as written (every field optional). */
export type TrailExitInput = z.input<typeof trailExitSchema>;
/** `trail_exit` block after parsing (defaults filled; fractions and USDC as written). */
export type TrailExitParams = z.output<typeof trailExitSchema>;

/**
 * State of `trail_exit` (spec §3.2): `engaged`; `hwm`, the highest bid since engagement
 * (micro-USDC per share, null before); `stop`, the ratcheted trigger (micro-USDC per share, null
 * before engagement or while no stop fits under the bid).
 */
export type TrailExitState = {
  readonly engaged: boolean;
  readonly hwm: number | null;
  readonly stop: number | null;
};

/** `scale_out` keeps no state: its done-flag is `'scale_out'` in `pos.partialsDone` (spec §3.2). */
export type ScaleOutState = Readonly<Record<string, never>>;

/**
 * `(hwm − entry) / entry` in percent, two decimals (the seed's `pct_above_entry`, spec §3.1) —
 * a log field only, never compared.
 */
function pctAboveEntry(hwm: number, entry: number): number {
  return Math.round(((hwm - entry) / entry) * 10_000) / 100;
}

/**
 * The `trail_exit` policy function, config bound (spec §3.2). Not engaged: engages when
 * `bid ≥ Math.round(entry * (1 + TRAIL_ENGAGEMENT_PCT))`, sets `hwm = bid` and the first stop
 * `clampStop(Math.round(hwm * (1 - TRAIL_PCT)))` (`HWM_ENGAGED {entry, bid}`). Engaged: when
 * `bid > hwm`, `hwm = bid` and the stop ratchets with the same formula (`HWM_UPDATE {hwm,
 * pctAboveEntry}`). Fires (full, `TRAIL_TRIGGERED {hwm, bid, trailPct, stop}`) when `bid ≤ stop`.
 * Stops move only through {@link ratchetStop} (§1.3 rule 2), so a raise never fires on its own tick.
 */
export function trailExitPolicy(params: TrailExitParams): PolicyFn<TrailExitState> {
  const trailPct = params.TRAIL_PCT;
  return (pos, tick, _nowMs, state) => {
    const prev: TrailExitState = state ?? { engaged: false, hwm: null, stop: null };
    const bid = tick.bid;
    const events: PolicyEvent[] = [];
    let engaged = prev.engaged;
    let hwm = prev.hwm;
    let stop = prev.stop;
    if (!engaged) {
      if (bid < Math.round(pos.entry * (1 + params.TRAIL_ENGAGEMENT_PCT)))
        return { state: { ...prev }, decision: null, events };
      engaged = true;
      hwm = bid;
      stop = ratchetStop(stop, Math.round(hwm * (1 - trailPct)), bid, tick.tk);
      events.push({ event: 'HWM_ENGAGED', data: { entry: pos.entry, bid } });
    } else if (hwm === null || bid > hwm) {
      hwm = bid;
      stop = ratchetStop(stop, Math.round(hwm * (1 - trailPct)), bid, tick.tk);
      events.push({ event: 'HWM_UPDATE', data: { hwm, pctAboveEntry: pctAboveEntry(hwm, pos.entry) } });
    }
    const next: TrailExitState = { engaged, hwm, stop };
    if (stop === null || bid > stop) return { state: next, decision: null, events };
    events.push({ event: 'TRAIL_TRIGGERED', data: { hwm, bid, trailPct, stop } });
    return { state: next, decision: { reason: 'trail_exit', size: 'full' }, events };
  };
}

/**
 * Notional of `shares` micro-shares at `price` micro-USDC per share, in micro-USDC:
 * `floor(shares × price / 10^6)`, exact (BigInt when the product exceeds 2^53).
 */
export function notionalAt(shares: number, price: number): number {
  const product = shares * price;
  if (Number.isSafeInteger(product)) return Math.floor(product / 1_000_000);
  return Number((BigInt(shares) * BigInt(price)) / 1_000_000n);
}

/** `x` rounded up to a multiple of `step` (both positive integers). */
function ceilTo(x: number, step: number): number {
  return Math.ceil(x / step) * step;
}

/**
 * The scale-out size (spec §3.2) for `shares` micro-shares held at `bid` (micro-USDC per share),
 * with the venue minimum `minNotional` (micro-USDC): `part = floorShares(Math.floor(shares *
 * pct))`; when `notionalAt(part, bid) < minNotional` it is raised to the smallest sellable part
 * `ceilTo(Math.ceil(minNotional * 10^6 / bid), 10_000)`; returns `'full'` when that part is
 * ≥ `shares` or the rest is worth less than the minimum at the bid, else the part in micro-shares.
 * Worked check (§3.2): 2 shares, bid 0.55 → part 1 820 000, rest worth 99 000 → `'full'`.
 */
export function scaleOutSize(shares: number, bid: number, pct: number, minNotional: number): number | 'full' {
  let part = floorShares(Math.floor(shares * pct));
  if (notionalAt(part, bid) < minNotional) part = ceilTo(Math.ceil((minNotional * 1_000_000) / bid), 10_000);
  if (part >= shares || notionalAt(shares - part, bid) < minNotional) return 'full';
  return part;
}

/** True when the position's scale-out has filled or been abandoned (spec §1.3 rule 6, §3.2). */
function scaleOutDone(pos: PolicyPosition): boolean {
  return pos.partialsDone.includes('scale_out');
}

/**
 * The `scale_out` policy function, config bound (spec §3.2). While not done and
 * `bid ≥ tp = capTarget(Math.round(entry * (1 + TP_PCT)))`, decides `{size: 'part', shares}` or
 * `{size: 'full'}` per {@link scaleOutSize} (minimum `Math.round(MIN_ORDER_NOTIONAL_USDC * 1e6)`
 * micro-USDC), with `SCALE_OUT {tp, bid, shares, remaining}` (micro-shares sold and left). It fires
 * again on later ticks until the trader marks it done. State stays `{}`.
 */
export function scaleOutPolicy(params: TrailExitParams): PolicyFn<ScaleOutState> {
  const minNotional = Math.round(params.MIN_ORDER_NOTIONAL_USDC * 1e6);
  return (pos, tick) => {
    const state: ScaleOutState = {};
    if (scaleOutDone(pos)) return { state, decision: null, events: [] };
    const tp = capTarget(Math.round(pos.entry * (1 + params.TP_PCT)));
    const bid = tick.bid;
    if (bid < tp || bid <= 0) return { state, decision: null, events: [] };
    const size = scaleOutSize(pos.shares, bid, params.SCALE_OUT_PCT, minNotional);
    const sold = size === 'full' ? pos.shares : size;
    const events: PolicyEvent[] = [
      { event: 'SCALE_OUT', data: { tp, bid, shares: sold, remaining: pos.shares - sold } },
    ];
    return {
      state,
      decision:
        size === 'full'
          ? { reason: 'scale_out', size: 'full' }
          : { reason: 'scale_out', size: 'part', shares: size },
      events,
    };
  };
}

/**
 * Builds the `trail_exit` family from its config block (spec §3.2 "Switch"): `[]` when
 * `TRAILING_ENABLED` is false (off = absent, §1.3 rule 8), else `[trail_exit, scale_out]`, neither
 * reading market features. The block is parsed here, so raw or parsed config both work.
 * @throws {z.ZodError} when the block is invalid (each field with its accepted range).
 */
export function buildTrailExit(params: TrailExitInput): BuiltPolicy[] {
  const parsed = trailExitSchema.parse(params);
  if (!parsed.TRAILING_ENABLED) return [];
  return [
    { name: 'trail_exit', fn: widen(trailExitPolicy(parsed)), needsFeatures: false },
    { name: 'scale_out', fn: widen(scaleOutPolicy(parsed)), needsFeatures: false },
  ];
}
