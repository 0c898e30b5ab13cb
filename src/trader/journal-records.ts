/**
 * The trader's journal records (issue #10: the record types belong to the trader; persistence maps
 * them to rows). Units as in `core/types.ts`: prices, sizes and money in integer micros, times in ms.
 */
import type { ExitReason, PositionState, Side } from '../core/types';
import type { PolicyName, PolicyState } from './exits/policy';

/** One filled partial exit (issue #12): what it sold and for how much (micros, ms). */
export interface PartialExit {
  readonly reason: PolicyName;
  readonly exitTimeMs: number;
  /** Shares sold, micro-shares. */
  readonly shares: number;
  /** Average fill price, micro-USDC per share. */
  readonly exitPrice: number;
  readonly proceedsUsdc: number;
  readonly exitFeeUsdc: number;
  /** The entry cost of the shares sold (pro rata), micro-USDC. */
  readonly costUsdc: number;
  /** Bid of the tick that fired the partial, micro-USDC. */
  readonly triggerBid: number | null;
  /** Exit orders sent for this partial. */
  readonly exitAttempts: number;
}

/**
 * The exit-policy part of a position snapshot (issue #12): each policy's state, the partial exits
 * done or abandoned, those filled, and the size of a partial exit in flight. `null` in a record
 * under the default policy set without partials.
 */
export interface PositionExitState {
  readonly policies: Readonly<Record<string, PolicyState>>;
  readonly partialsDone: readonly PolicyName[];
  readonly partials: readonly PartialExit[];
  readonly exitPartShares: number | null;
}

/** Current state of a position (design §10 positions table); upserted by `positionKey`. */
export interface PositionRecord {
  readonly positionKey: string;
  readonly strategy: string;
  readonly crypto: string;
  readonly windowSec: number;
  readonly windowEpoch: number;
  readonly side: Side;
  readonly tokenId: string;
  readonly state: PositionState;
  readonly entryTimeMs: number | null;
  readonly entryPrice: number | null;
  readonly shares: number;
  readonly costUsdc: number;
  readonly entryFeeUsdc: number;
  readonly highWaterMark: number | null;
  readonly trailingActivatedAtMs: number | null;
  readonly exitReason: ExitReason | null;
  readonly exitTimeMs: number | null;
  readonly exitPrice: number | null;
  readonly proceedsUsdc: number | null;
  readonly exitFeeUsdc: number | null;
  readonly pnlUsdc: number | null;
  readonly exitAttempts: number;
  readonly updatedMs: number;
  /** Exit-policy state (issue #12); `null` (or absent in older code paths) when there is none. */
  readonly exitState?: PositionExitState | null;
}

/** One journal row (append-only, `seq` strictly increasing per run). */
export interface PositionEventRecord {
  readonly seq: number;
  readonly positionKey: string;
  /** e.g. `OPENED`, `HWM_UPDATE`, `TRAILING_ACTIVATED`, `EXIT_FIRED`, `EXIT_FAILED`, `CLOSED`. */
  readonly type: string;
  readonly fromState: PositionState | null;
  readonly toState: PositionState | null;
  readonly tsMs: number;
  /** Inputs of the rule or event, JSON. */
  readonly data: Record<string, unknown>;
}

/** An order sent to a venue and its final status. */
export interface OrderRecord {
  readonly clientOrderId: string;
  readonly positionKey: string;
  readonly purpose: 'entry' | 'exit';
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  readonly tif: string;
  readonly limitPrice: number;
  readonly notional: number | null;
  readonly shares: number | null;
  readonly status: 'filled' | 'killed' | 'rejected' | 'unknown' | 'pending';
  readonly reason: string | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** One fill (unique venue trade id, design §10). */
export interface FillRecord {
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly positionKey: string;
  readonly price: number;
  readonly shares: number;
  readonly feeUsdc: number;
  readonly tsMs: number;
}

/**
 * One signed attempt of an order (issue #4). Written before the order is posted, so a restarted
 * trader can ask the venue about an order whose outcome it never saw; an order retried with a
 * fresh signature has several attempts under one client order id.
 */
export interface OrderAttemptRecord {
  readonly clientOrderId: string;
  /** The venue's order id: the EIP-712 hash of the order signed for this attempt. */
  readonly venueOrderId: string;
  /** Signing time, ms. */
  readonly signedMs: number;
}
