/**
 * The position model owned by the LiveTrader, and its conversions to a persisted record and to a
 * `trades.jsonl` line. Units: prices, sizes and money in integer micros; times in ms.
 */
import { fromMicros } from '../core/money';
import type { ExitReason, PositionState, Side, WindowRef } from '../core/types';
import type { PolicyName, PolicyState } from './exits/policy';
import type { PartialExit, PositionExitState, PositionRecord } from './journal-records';

/** A position's mutable state inside the trader. */
export interface Position {
  readonly key: string;
  readonly strategy: string;
  readonly window: WindowRef;
  readonly side: Side;
  readonly tokenId: string;
  state: PositionState;
  /** Time the entry signal was acted on, ms. */
  readonly createdMs: number;
  entryTimeMs: number | null;
  /** Average fill price, micro-USDC per share (`round(cost / grossShares)`). */
  entryPrice: number | null;
  /** Shares held, micro-shares (gross bought minus the fee taken in shares). */
  shares: number;
  /** USDC paid for the entry, micros. */
  costUsdc: number;
  /** Entry fee, micro-USDC equivalent (taken in shares, so already out of `shares`). */
  entryFeeUsdc: number;
  /** Highest bid seen since entry (starts at the entry price), micro-USDC. */
  highWaterMark: number | null;
  trailingActivatedAtMs: number | null;
  /** Sequence of the last tick seen when the entry filled; rules run from the next tick on. */
  fillTickSeq: number;
  exitReason: ExitReason | null;
  /** Bid of the tick that fired the exit rule, micro-USDC. */
  triggerBid: number | null;
  exitTimeMs: number | null;
  /** Average exit price, or the payout (1_000_000 or 0) at resolution, micro-USDC. */
  exitPrice: number | null;
  proceedsUsdc: number | null;
  exitFeeUsdc: number | null;
  pnlUsdc: number | null;
  /** Exit orders sent over the position's life. */
  exitAttempts: number;
  /** Orders sent in the current exit round (numbers the round's client order ids). */
  roundAttempts: number;
  /**
   * Market failures (`cause` `market`) in the current exit round; the round fails at
   * MAX_EXIT_ATTEMPTS (design §7). Venue-side failures do not count (issue #8 point 3).
   */
  roundFailures: number;
  /** Exit rounds started. */
  exitRounds: number;
  /** Exit rounds the market failed over the position's life (a too-small round is not one). */
  failedRounds: number;
  /** When the next exit attempt of the round is due, ms; `null` when none is scheduled. */
  retryAtMs: number | null;
  /** Current back-off after venue-side failures, ms (0 = none; VENUE_BACKOFF_MS ×2 up to the max). */
  venueBackoffMs: number;
  /**
   * Exit rules may not start a round before this time, ms (`null` = no cooldown): set for
   * EXIT_COOLDOWN_MS after each failed round once MAX_EXIT_ROUNDS rounds failed (issue #8 point 3).
   */
  exitCooldownUntilMs: number | null;
  /** The last exit that fired was below the venue minimum (journaled on change only; issue #8 point 5). */
  exitTooSmall: boolean;
  /** Why flatten last could not sell it (`no_bid`, `stale`, `too_small`, `cooldown`), journaled on change. */
  flattenHeld: string | null;
  /** Client order id of the order in flight, if any. */
  openOrderId: string | null;
  /** When the order in flight was sent, ms (`null` when none); the lock timeout counts from it. */
  orderSentMs: number | null;
  exitingSinceMs: number | null;
  /**
   * No exit rule runs: a position adopted by reconciliation (its entry price is unknown). Only
   * flatten sells it. Failed rounds and too-small exits no longer set it (issue #8 points 3, 5).
   */
  holdToResolution: boolean;
  /**
   * Set once the order in flight (entry or exit) went unanswered past POSITION_LOCK_TIMEOUT_MS;
   * cleared when an answer arrives (issue #8 point 6).
   */
  lockTimedOut: boolean;
  /** Shares left after the exit sale (below the venue's 0.01-share precision), micro-shares. */
  dustShares: number;
  /** Exit-policy state by policy name (issue #12); empty under the default policy set. */
  policyState: Record<string, PolicyState>;
  /** Partial exits filled or abandoned (issue #12; exit-policies.md §1.3 rule 6). */
  partialsDone: PolicyName[];
  /** Shares the current exit round sells when it sells part of the position, micro-shares; `null`: all. */
  exitPartShares: number | null;
  /** Partial exits filled so far, in order (each becomes its own `trades.jsonl` line). */
  partials: PartialExit[];
  /** Failed rounds of the current partial exit (not persisted: a restart starts it again). */
  partialFailedRounds: number;
}

/** `(HWM − entry) / entry`: the best unrealised return seen since entry (0 before the fill). */
export function peakPnlPct(p: Pick<Position, 'entryPrice' | 'highWaterMark'>): number {
  return p.entryPrice === null || p.highWaterMark === null
    ? 0
    : (p.highWaterMark - p.entryPrice) / p.entryPrice;
}

/** True once the trailing take-profit has activated (it stays active). */
export function trailingActive(p: Pick<Position, 'trailingActivatedAtMs'>): boolean {
  return p.trailingActivatedAtMs !== null;
}

/** Returns a persisted snapshot of the position at `nowMs`. */
export function toPositionRecord(p: Position, nowMs: number): PositionRecord {
  return {
    positionKey: p.key,
    strategy: p.strategy,
    crypto: p.window.crypto,
    windowSec: p.window.windowSec,
    windowEpoch: p.window.windowEpoch,
    side: p.side,
    tokenId: p.tokenId,
    state: p.state,
    entryTimeMs: p.entryTimeMs,
    entryPrice: p.entryPrice,
    shares: p.shares,
    costUsdc: p.costUsdc,
    entryFeeUsdc: p.entryFeeUsdc,
    highWaterMark: p.highWaterMark,
    trailingActivatedAtMs: p.trailingActivatedAtMs,
    exitReason: p.exitReason,
    exitTimeMs: p.exitTimeMs,
    exitPrice: p.exitPrice,
    proceedsUsdc: p.proceedsUsdc,
    exitFeeUsdc: p.exitFeeUsdc,
    pnlUsdc: p.pnlUsdc,
    exitAttempts: p.exitAttempts,
    updatedMs: nowMs,
    ...exitStateField(p),
  };
}

/** `{ exitState }` when the position has exit-policy state, else nothing (the record as before #12). */
function exitStateField(p: Position): { exitState?: PositionExitState } {
  const s = exitStateOf(p);
  return s === null ? {} : { exitState: s };
}

/**
 * The exit-policy part of a snapshot (issue #12), or `null` when there is none (the default
 * policy set without partial exits: the record stays as before).
 */
export function exitStateOf(p: Position): PositionExitState | null {
  if (Object.keys(p.policyState).length === 0 && p.partialsDone.length === 0 && p.partials.length === 0)
    return null;
  return {
    policies: { ...p.policyState },
    partialsDone: [...p.partialsDone],
    partials: [...p.partials],
    exitPartShares: p.exitPartShares,
  };
}

/** Totals of the partial exits filled so far (micro-USDC): proceeds, fees and entry cost sold. */
export function partialTotals(p: Pick<Position, 'partials'>): {
  proceeds: number;
  fee: number;
  cost: number;
} {
  let proceeds = 0;
  let fee = 0;
  let cost = 0;
  for (const x of p.partials) {
    proceeds += x.proceedsUsdc;
    fee += x.exitFeeUsdc;
    cost += x.costUsdc;
  }
  return { proceeds, fee, cost };
}

/** One `trades.jsonl` line (issue #2): prices and money as decimal USDC numbers, times in ms. */
export interface TradeLine {
  positionKey: string;
  strategy: string;
  crypto: string;
  windowSec: number;
  windowEpoch: number;
  side: Side;
  entryTimeMs: number;
  entryPrice: number;
  shares: number;
  costUsdc: number;
  entryFeeUsdc: number;
  exitTimeMs: number | null;
  exitPrice: number | null;
  exitReason: ExitReason | null;
  triggerBid: number | null;
  highWaterMark: number | null;
  peakPnlPct: number;
  trailingActivatedAtMs: number | null;
  proceedsUsdc: number | null;
  exitFeeUsdc: number | null;
  pnlUsdc: number | null;
  exitAttempts: number;
}

const m = (v: number | null): number | null => (v === null ? null : fromMicros(v));

/** Returns the trade line of a position that was opened (entry filled); keys in the order. */
export function toTradeLine(p: Position): TradeLine {
  return {
    positionKey: p.key,
    strategy: p.strategy,
    crypto: p.window.crypto,
    windowSec: p.window.windowSec,
    windowEpoch: p.window.windowEpoch,
    side: p.side,
    entryTimeMs: p.entryTimeMs ?? 0,
    entryPrice: fromMicros(p.entryPrice ?? 0),
    shares: fromMicros(p.shares),
    costUsdc: fromMicros(p.costUsdc),
    entryFeeUsdc: fromMicros(p.entryFeeUsdc),
    exitTimeMs: p.exitTimeMs,
    exitPrice: m(p.exitPrice),
    exitReason: p.exitReason,
    triggerBid: m(p.triggerBid),
    highWaterMark: m(p.highWaterMark),
    peakPnlPct: Math.round(peakPnlPct(p) * 1e6) / 1e6,
    trailingActivatedAtMs: p.trailingActivatedAtMs,
    proceedsUsdc: m(p.proceedsUsdc),
    exitFeeUsdc: m(p.exitFeeUsdc),
    pnlUsdc: m(p.pnlUsdc),
    exitAttempts: p.exitAttempts,
  };
}

/**
 * The `trades.jsonl` lines of a closed position (issue #12): one per filled partial exit (its
 * reason, the shares it sold, their pro-rata entry cost and fee, its P&L), then the position's
 * own line for what was left (without partials: exactly {@link toTradeLine}).
 */
export function toTradeLines(p: Position): TradeLine[] {
  const last = toTradeLine(p);
  if (p.partials.length === 0) return [last];
  const soldShares = p.partials.reduce((n, x) => n + x.shares, 0);
  const sharesAtEntry = p.shares + soldShares;
  const lines = p.partials.map((x): TradeLine => {
    const entryFee = Math.round((p.entryFeeUsdc * x.shares) / sharesAtEntry);
    return {
      ...last,
      shares: fromMicros(x.shares),
      costUsdc: fromMicros(x.costUsdc),
      entryFeeUsdc: fromMicros(entryFee),
      exitTimeMs: x.exitTimeMs,
      exitPrice: fromMicros(x.exitPrice),
      exitReason: x.reason,
      triggerBid: m(x.triggerBid),
      proceedsUsdc: fromMicros(x.proceedsUsdc),
      exitFeeUsdc: fromMicros(x.exitFeeUsdc),
      pnlUsdc: fromMicros(x.proceedsUsdc - x.exitFeeUsdc - x.costUsdc),
      exitAttempts: x.exitAttempts,
    };
  });
  const t = partialTotals(p);
  const restFee = p.entryFeeUsdc - lines.reduce((n, l) => n + Math.round(l.entryFeeUsdc * 1e6), 0);
  lines.push({
    ...last,
    costUsdc: fromMicros(p.costUsdc - t.cost),
    entryFeeUsdc: fromMicros(restFee),
    proceedsUsdc: m(p.proceedsUsdc === null ? null : p.proceedsUsdc - t.proceeds),
    exitFeeUsdc: m(p.exitFeeUsdc === null ? null : p.exitFeeUsdc - t.fee),
    pnlUsdc: m(p.pnlUsdc === null ? null : p.pnlUsdc - (t.proceeds - t.fee - t.cost)),
    exitAttempts: p.exitAttempts - p.partials.reduce((n, x) => n + x.exitAttempts, 0),
  });
  return lines;
}

/** Sort order of trades.jsonl: by entryTimeMs, then positionKey (issue #2). */
export function compareTrades(a: TradeLine, b: TradeLine): number {
  return (
    a.entryTimeMs - b.entryTimeMs ||
    (a.positionKey < b.positionKey ? -1 : a.positionKey > b.positionKey ? 1 : 0)
  );
}

/** The window of a stored position. */
export function windowOfRecord(r: Pick<PositionRecord, 'crypto' | 'windowSec' | 'windowEpoch'>): WindowRef {
  return { crypto: r.crypto, windowSec: r.windowSec, windowEpoch: r.windowEpoch };
}

/**
 * Rebuilds a not-CLOSED position from its stored snapshot (a live restart, issue #4). What the
 * snapshot does not hold starts fresh: exit rules run from the next tick, failed rounds and
 * cooldowns start at zero, and an EXITING position is EXITING since `updatedMs`. Round numbers
 * continue above every round used before (`exitRounds` = the exit attempts so far, + 1 for an
 * EXITING position's current round), so no client order id `key:exit:round.attempt` is ever sent
 * twice in a run (issue #4). An order in flight is attached by `LiveTrader.restore`.
 */
export function positionFromRecord(r: PositionRecord): Position {
  const p = newPosition(
    r.positionKey,
    r.strategy,
    windowOfRecord(r),
    r.side,
    r.tokenId,
    r.entryTimeMs ?? r.updatedMs,
  );
  p.state = r.state;
  p.entryTimeMs = r.entryTimeMs;
  p.entryPrice = r.entryPrice;
  p.shares = r.shares;
  p.costUsdc = r.costUsdc;
  p.entryFeeUsdc = r.entryFeeUsdc;
  p.highWaterMark = r.highWaterMark;
  p.trailingActivatedAtMs = r.trailingActivatedAtMs;
  p.exitReason = r.exitReason;
  p.exitAttempts = r.exitAttempts;
  p.fillTickSeq = 0;
  if (r.exitState !== null && r.exitState !== undefined) {
    p.policyState = { ...r.exitState.policies };
    p.partialsDone = [...r.exitState.partialsDone];
    p.partials = [...r.exitState.partials];
    if (r.state === 'EXITING') p.exitPartShares = r.exitState.exitPartShares;
  }
  p.exitRounds = r.exitAttempts;
  if (r.state === 'EXITING') {
    p.exitRounds = r.exitAttempts + 1;
    p.roundAttempts = 0;
    p.exitingSinceMs = r.updatedMs;
  }
  // an adopted position (no known entry price) is held to resolution, as when it was adopted
  if (r.state === 'OPEN' && r.entryPrice === null) p.holdToResolution = true;
  return p;
}

/** Returns a new PENDING position (no fill yet) created at `nowMs`. */
export function newPosition(
  key: string,
  strategy: string,
  window: WindowRef,
  side: Side,
  tokenId: string,
  nowMs: number,
): Position {
  return {
    key,
    strategy,
    window,
    side,
    tokenId,
    state: 'PENDING',
    createdMs: nowMs,
    entryTimeMs: null,
    entryPrice: null,
    shares: 0,
    costUsdc: 0,
    entryFeeUsdc: 0,
    highWaterMark: null,
    trailingActivatedAtMs: null,
    fillTickSeq: Number.MAX_SAFE_INTEGER,
    exitReason: null,
    triggerBid: null,
    exitTimeMs: null,
    exitPrice: null,
    proceedsUsdc: null,
    exitFeeUsdc: null,
    pnlUsdc: null,
    exitAttempts: 0,
    roundAttempts: 0,
    roundFailures: 0,
    exitRounds: 0,
    failedRounds: 0,
    retryAtMs: null,
    venueBackoffMs: 0,
    exitCooldownUntilMs: null,
    exitTooSmall: false,
    flattenHeld: null,
    openOrderId: null,
    orderSentMs: null,
    exitingSinceMs: null,
    holdToResolution: false,
    lockTimedOut: false,
    dustShares: 0,
    policyState: {},
    partialsDone: [],
    exitPartShares: null,
    partials: [],
    partialFailedRounds: 0,
  };
}
