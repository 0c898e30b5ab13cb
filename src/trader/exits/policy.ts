/**
 * The exit-policy contract (issue #12; `../shared/docs/exit-policies.md` §1). An exit policy is a
 * pure function of (position, tick, now, its own state) that returns its next state, at most one
 * exit decision (the whole position or a part of it) and the events to journal. The composer
 * (`composer.ts`) runs a strategy's policies in the fixed priority order of {@link POLICY_ORDER}.
 *
 * Units (spec §1.1): prices, stops, targets and distances are integer micro-USDC per share
 * (0.50 = 500_000); sizes micro-shares; times integer ms. Every product of an integer and a fraction
 * is rounded once with `Math.round`; comparisons are between integers.
 */
import type { ExitReason } from '../../core/types';

/**
 * Every policy's exit reason, in priority order (spec §1.4, plus `expiry_trail` of issue #12
 * point 8, a trail that runs after the other trails). Persisted with the position.
 */
export const POLICY_ORDER = [
  'stop_loss',
  'profit_lock',
  'step_lock',
  'trailing_stop',
  'trail_exit',
  'volatility_trail',
  'target_trail',
  'expiry_trail',
  'dynamic_target',
  'scale_out',
  'time_exit',
  'window_expiry',
] as const satisfies readonly ExitReason[];

/** A policy name, which is also the exit reason it records (spec §1.4: one reason per policy). */
export type PolicyName = (typeof POLICY_ORDER)[number];

/** Policy state: a flat JSON object (integers, booleans, short strings, null; spec §1.2). */
export type PolicyState = Readonly<Record<string, number | boolean | string | null>>;

/** An exit decision: the whole position, or `shares` micro-shares of it (a multiple of 10_000). */
export type ExitDecision =
  | { readonly reason: PolicyName; readonly size: 'full' }
  | { readonly reason: PolicyName; readonly size: 'part'; readonly shares: number };

/** What a policy reads of the position (spec §1.2). */
export interface PolicyPosition {
  /** Position key. */
  readonly key: string;
  /** Upper-case asset of the window, e.g. `BTC`. */
  readonly crypto: string;
  readonly side: 'UP' | 'DOWN';
  /** Average entry price, micro-USDC per share. */
  readonly entry: number;
  /** Shares held now, micro-shares. */
  readonly shares: number;
  /** Entry fill time, ms. */
  readonly openedAtMs: number;
  /** Window length, seconds. */
  readonly windowSec: number;
  /** Window end, ms. */
  readonly windowEndMs: number;
  /** Spot price at the window's start (USD), when known. */
  readonly windowStartSpot: number | null;
  /** Partial exits already filled or abandoned (spec §1.3 rule 6). */
  readonly partialsDone: readonly PolicyName[];
}

/** What a policy reads of the tick (spec §1.2, features §1.5). */
export interface PolicyTick {
  /** Tick time (venue clock), ms. */
  readonly tsMs: number;
  /** Best bid of the held token (the mark), micro-USDC. */
  readonly bid: number;
  /** Best ask of the held token, micro-USDC, or null. */
  readonly ask: number | null;
  /** Tick size of the held token now, micro-USDC (10_000 or 1_000). */
  readonly tk: number;
  /** Underlying spot (USD), or null. */
  readonly spot: number | null;
  /** σ of one-second mid changes, micro-USDC (spec §1.5), or null. */
  readonly vol: number | null;
  /** Typical move over ATR_HORIZON_S, micro-USDC, or null. */
  readonly atr: number | null;
  /** Bollinger band width of one-second mids, micro-USDC, or null. */
  readonly bandWidth: number | null;
  /** Mean of the last BBW_AVG_S band widths, micro-USDC, or null. */
  readonly bandWidthAvg: number | null;
}

/** An event a policy asks the trader to journal (`{event, policy, positionKey, tsMs, …data}`). */
export interface PolicyEvent {
  /** Upper-case event name, e.g. `HWM_ENGAGED`. */
  readonly event: string;
  /** Inputs and outputs; prices as integer micro-USDC. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What one policy call returns. */
export interface PolicyResult<S extends PolicyState = PolicyState> {
  readonly state: S;
  readonly decision: ExitDecision | null;
  readonly events: readonly PolicyEvent[];
  /**
   * True when the position is to be held to resolution: the composer then calls no later policy
   * on this tick (time exits and `window_expiry` do not sell it; issue #12 point 8).
   */
  readonly holdToEnd?: boolean;
}

/**
 * A policy: a pure function (no clock, I/O, randomness or global reads; arguments never mutated).
 * `state` is `null` on the first call for a position.
 */
export type PolicyFn<S extends PolicyState = PolicyState> = (
  pos: PolicyPosition,
  tick: PolicyTick,
  nowMs: number,
  state: S | null,
) => PolicyResult<S>;

/** A built policy: its name (= reason) and its function, config bound. */
export interface BuiltPolicy {
  readonly name: PolicyName;
  readonly fn: PolicyFn;
  /** True when the policy reads `vol`/`atr`/band width (the trader then keeps the estimator). */
  readonly needsFeatures: boolean;
}

/** Highest price a target may take (spec §1.3 rule 4): 0.999. */
export const TARGET_CAP = 999_000;

/**
 * Clamps a stop candidate (spec §1.3 rule 2): `max(tk, min(c, bid − tk))`.
 */
export function clampStop(c: number, bid: number, tk: number): number {
  return Math.max(tk, Math.min(c, bid - tk));
}

/**
 * Ratchets a stop toward profit (spec §1.3 rule 2): returns `max(stop, clampStop(c))` (the first
 * stop, `stop === null`, is just the clamped candidate), or `stop` unchanged when `bid − tk < tk`
 * (no room under the bid).
 */
export function ratchetStop(stop: number | null, c: number, bid: number, tk: number): number | null {
  if (bid - tk < tk) return stop;
  const clamped = clampStop(c, bid, tk);
  return stop === null ? clamped : Math.max(stop, clamped);
}

/** Caps a target below 1 (spec §1.3 rule 4). */
export function capTarget(target: number): number {
  return Math.min(target, TARGET_CAP);
}

/** Tick size at `price` when the book does not carry it (spec §1.1): 1_000 above 0.96 or below 0.04. */
export function tickSizeAt(price: number): number {
  return price > 960_000 || price < 40_000 ? 1_000 : 10_000;
}

/** Rounds micro-shares down to the venue's 0.01-share precision (10_000 micro-shares). */
export function floorShares(shares: number): number {
  return Math.floor(shares / 10_000) * 10_000;
}
