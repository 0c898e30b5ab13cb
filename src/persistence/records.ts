/**
 * Row shapes the repository reads and writes. Units as in `core/types.ts`: prices, sizes and
 * money in integer micros (the repository stores them as `numeric` in whole units), times in ms.
 */
import type { TickRow } from '../core/types';

/** A replay/sim/live run (design §10: mode, config hash, code revision). */
export interface RunRecord {
  /** `shadow`: the paper twin of a live run (issue #11), linked to it by `linkedRunId`. */
  readonly mode: 'replay' | 'sim' | 'live' | 'shadow';
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
  /** The run this one belongs to: a `shadow` run's live run (issue #11); absent/null otherwise. */
  readonly linkedRunId?: number | null;
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

export type {
  PositionRecord,
  PositionEventRecord,
  OrderRecord,
  FillRecord,
  OrderAttemptRecord,
} from '../trader/journal-records';
