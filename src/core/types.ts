/**
 * Domain types shared by every layer. Units: prices in micro-USDC per share (0..1_000_000),
 * sizes in micro-shares, notionals and P&L in micro-USDC, times in integer ms since the epoch.
 * Nothing past the feed/venue boundary sees a venue payload or a float price string.
 */

/** Outcome token side of a window. */
export type Side = 'UP' | 'DOWN';

/** A market window: `(crypto, windowSec, windowEpoch)`; `windowEpoch` = start in unix seconds (design §3). */
export interface WindowRef {
  /** Upper-case asset symbol, e.g. `BTC`. */
  readonly crypto: string;
  /** Window length in seconds (300, 900, 3600, 14400). */
  readonly windowSec: number;
  /** Window start, unix seconds. */
  readonly windowEpoch: number;
}

/** Returns the window end in ms since the epoch. */
export function windowEndMs(w: WindowRef): number {
  return (w.windowEpoch + w.windowSec) * 1000;
}

/**
 * One canonical input row (issue #2 tick CSV): top of book of both tokens of one window at `tsMs`.
 * `null` = absent (no bid / no ask) for prices, unknown for sizes (the fill model then assumes
 * the level is deep enough).
 */
export interface TickRow extends WindowRef {
  readonly tsMs: number;
  readonly upBid: number | null;
  readonly upAsk: number | null;
  readonly upBidSize: number | null;
  readonly upAskSize: number | null;
  readonly downBid: number | null;
  readonly downAsk: number | null;
  readonly downBidSize: number | null;
  readonly downAskSize: number | null;
  /** Underlying spot price in USD (float), or null when unknown. */
  readonly spot: number | null;
}

/** Best levels of one token at a tick; `null` = side absent (price) or unknown (size). */
export interface TopOfBook {
  readonly tokenId: string;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidSize: number | null;
  readonly askSize: number | null;
  /** Tick size in micro-USDC (10_000 = 0.01, 1_000 = 0.001). */
  readonly tickSize: number;
  /**
   * True while the live feed considers this token's book stale (no frame for STALE_BOOK_MS, or
   * waiting for a fresh snapshot): no order may be sent on it (issue #3). Absent = fresh.
   */
  readonly stale?: boolean;
}

/** What the trader and strategies see after every book event (design §4). */
export interface Tick {
  /** Monotonic tick sequence number within a run (1, 2, …). */
  readonly seq: number;
  readonly tsMs: number;
  readonly window: WindowRef;
  /** `windowKey(window)`, computed once per window (`BTC:900:1766745000`). */
  readonly windowKey: string;
  readonly up: TopOfBook;
  readonly down: TopOfBook;
  readonly spot: number | null;
}

/** Closed set of the default exit reasons (design §3), persisted. */
export const EXIT_REASONS = ['stop_loss', 'trailing_stop', 'reversal', 'window_expiry', 'manual'] as const;
/**
 * Exit reasons of the optional exit policies (issue #12, `exit-policies.md` §1.4; `expiry_trail`
 * is issue #12 point 8), persisted like the default ones.
 */
export const POLICY_EXIT_REASONS = [
  'profit_lock',
  'step_lock',
  'trail_exit',
  'volatility_trail',
  'target_trail',
  'expiry_trail',
  'dynamic_target',
  'scale_out',
  'time_exit',
] as const;
/**
 * Exit reasons that take profit: the trails and targets that only fire above entry (issue #12;
 * the metrics and alerts of issue #13 count them as take-profit exits, as the seed counts
 * `TRAIL_EXIT`, exit-policies.md §3.1).
 */
export const PROFIT_TAKING_REASONS: ReadonlySet<string> = new Set<string>([
  'trailing_stop',
  // every policy's reason but the time exit's (which also sells at a loss)
  ...POLICY_EXIT_REASONS.filter((r) => r !== 'time_exit'),
]);
/** An exit reason: a default one or an exit policy's. */
export type ExitReason = (typeof EXIT_REASONS)[number] | (typeof POLICY_EXIT_REASONS)[number];

/** Position states (design §1: PENDING → OPEN → EXITING → CLOSED). */
export type PositionState = 'PENDING' | 'OPEN' | 'EXITING' | 'CLOSED';

/** An entry signal from a strategy: buy `side` of the tick's window. */
export interface Signal {
  readonly strategy: string;
  readonly side: Side;
  /** Short human-readable cause, logged with the position. */
  readonly note: string;
}

/** Time in force; this product sends FOK for entries and exits (design §7). */
export type TimeInForce = 'FOK' | 'FAK' | 'GTC';

/** An order the trader asks a venue to place. */
export interface OrderCommand {
  /** Deterministic client order id: `${positionKey}:entry` or `${positionKey}:exit:<round>.<attempt>`. */
  readonly clientOrderId: string;
  readonly positionKey: string;
  readonly purpose: 'entry' | 'exit';
  readonly tokenId: string;
  readonly window: WindowRef;
  readonly side: 'BUY' | 'SELL';
  readonly tif: TimeInForce;
  /** Limit price, micro-USDC per share, on the tick grid. */
  readonly limitPrice: number;
  /** BUY: notional to spend, micro-USDC. */
  readonly notional?: number;
  /** SELL: shares to sell, micro-shares. */
  readonly shares?: number;
  /** Time the command was issued (ms). */
  readonly createdMs: number;
}

/** One fill of an order (idempotent by `tradeId`). */
export interface Fill {
  readonly tradeId: string;
  readonly price: number;
  /** Shares traded (gross, before a fee taken in shares), micro-shares. */
  readonly shares: number;
}

/**
 * Why an order was not filled, as far as the venue's answer tells (issue #8). It decides what the
 * trader does next: only `market` (the venue matched and the book could not fill it, or refused
 * the order itself) uses up an exit round; the others back off and keep the exit armed.
 * - `market`: FOK killed on the book, or a refusal of this order (price, size, precision).
 * - `venue_unavailable`: 425 (matching-engine restart), 5xx, 503 paused / cancel-only, post-only
 *   period, connection refused, a timeout before the order was built or posted.
 * - `rate_limited`: 429.
 * - `settlement_pending`: a SELL whose shares the venue does not see yet (a fill still settling).
 * - `account_setup`: the account cannot trade as configured (maker not allowed, signer ≠ API key,
 *   invalid L1 headers, no API key, missing allowance): the trader stops with one line.
 */
export type FailureCause =
  'market' | 'venue_unavailable' | 'rate_limited' | 'settlement_pending' | 'account_setup';

/**
 * What a venue reports about an order (design §2): filled, killed (FOK not fillable), rejected
 * (venue refused it: size, tick, balance…), unknown (the request left and no answer came back).
 * `cause` (issue #8) classifies a killed/rejected outcome; absent means `market`.
 */
export type VenueEvent =
  | {
      readonly kind: 'filled';
      readonly clientOrderId: string;
      readonly tsMs: number;
      readonly fills: readonly Fill[];
      /** Gross shares traded, micro-shares. */
      readonly shares: number;
      /** USDC paid (BUY) or received before fees (SELL), micro-USDC. */
      readonly notional: number;
      /** Fee, micro-USDC (taken in shares on BUY, in USDC on SELL; polymarket-protocol.md §6.7). */
      readonly feeUsdc: number;
      /** Fee taken in shares on a BUY, micro-shares (0 on SELL). */
      readonly feeShares: number;
    }
  | {
      readonly kind: 'killed';
      readonly clientOrderId: string;
      readonly tsMs: number;
      readonly reason: string;
      readonly cause?: FailureCause;
    }
  | {
      readonly kind: 'rejected';
      readonly clientOrderId: string;
      readonly tsMs: number;
      readonly reason: string;
      readonly cause?: FailureCause;
    }
  | {
      readonly kind: 'unknown';
      readonly clientOrderId: string;
      readonly tsMs: number;
      readonly reason: string;
    };
