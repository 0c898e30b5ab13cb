/**
 * Row shapes the repository reads and writes. Units as in `core/types.ts`: prices, sizes and
 * money in integer micros (the repository stores them as `numeric` in whole units), times in ms.
 */
import type { ExitReason, PositionState, Side, TickRow } from '../core/types';

/** A replay/sim/live run (design §10: mode, config hash, code revision). */
export interface RunRecord {
  readonly mode: 'replay' | 'sim' | 'live';
  readonly configHash: string;
  readonly codeRevision: string;
  /** Input path(s) or feed description. */
  readonly input: string;
  readonly startedAtMs: number;
  /** The frozen config, stored as JSON (secrets never included). */
  readonly config: Record<string, unknown>;
  /**
   * Lowercase 0x address of the trading wallet (the funder); only live runs set it, so a
   * restarted trader can find the run it continues (issue #4). Stored lowercased.
   */
  readonly wallet?: string | null;
}

/** A market window with its two tokens (design §10 windows table). */
export interface WindowRecord {
  readonly crypto: string;
  readonly windowSec: number;
  readonly windowEpoch: number;
  readonly slug: string;
  readonly conditionId: string;
  readonly upTokenId: string;
  readonly downTokenId: string;
  /** Winner at resolution when known. */
  readonly winner: 'UP' | 'DOWN' | null;
  /** Oracle price at the window start / end, USD (float), when known (issue #3). */
  readonly startPrice: number | null;
  readonly endPrice: number | null;
  /** UP iff end ≥ start by the oracle, when both prices are known. */
  readonly expectedWinner: 'UP' | 'DOWN' | null;
}

/** One raw feed frame as received (design §10: kept for re-replay). */
export interface RawFrameRecord {
  /** `market` (CLOB market channel), `rest` (a REST `/book` snapshot taken to recover) or `rtds`. */
  readonly channel: 'market' | 'rest' | 'rtds';
  /** Receive time, ms. */
  readonly recvMs: number;
  /** Latest venue timestamp among the frame's events, ms; null when it carries none. */
  readonly venueTsMs: number | null;
  /** The frame text exactly as received. */
  readonly text: string;
}

/** One persisted tick: a canonical row (units as in `TickRow`) plus its receive time. */
export interface TickRecord extends TickRow {
  /** Receive time, ms (equal to tsMs in replay). */
  readonly recvMs: number;
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
