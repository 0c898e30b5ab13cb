import type { ParityRecord } from '../parity/parity-record';
import type { WalletLock } from './wallet-lock';
import type {
  FillRecord,
  OrderAttemptRecord,
  OrderRecord,
  PositionEventRecord,
  PositionRecord,
  RawFrameRecord,
  RunRecord,
  TickRecord,
  WindowRecord,
} from './records';

/**
 * The one persistence port (design §2): the knex implementation is the only code that writes SQL.
 * Every write is scoped to a run id. Writes are idempotent where a natural key exists
 * (windows by slug, positions by run+key, orders by run+client id, fills by run+trade id,
 * order attempts by run+venue order id, events by run+seq). All methods reject with the driver's error on a database failure.
 */
export interface Repository {
  /** Applies pending migrations. */
  migrate(): Promise<void>;
  /** Inserts a run row (its wallet lowercased) and returns its id. */
  createRun(run: RunRecord): Promise<number>;
  /**
   * Returns the id of the newest (highest id) run with this mode and wallet (compared
   * case-insensitively), or null when there is none.
   */
  latestRunOf(mode: RunRecord['mode'], wallet: string): Promise<number | null>;
  /** Returns the id of the newest run of `mode` (any wallet), or null (the parity report's default). */
  latestRun(mode: RunRecord['mode']): Promise<number | null>;
  /** Returns the id of the newest run of `mode` linked to `runId` (a live run's twin), or null. */
  linkedRunOf(runId: number, mode: RunRecord['mode']): Promise<number | null>;
  /**
   * Inserts or updates parity rows of live run `liveRunId` and its twin `shadowRunId` by
   * (live run, position key) (issue #11).
   */
  upsertParity(liveRunId: number, shadowRunId: number, rows: readonly ParityRecord[]): Promise<void>;
  /** Returns the parity rows of a live run, by window epoch then position key. */
  loadParity(liveRunId: number): Promise<ParityRecord[]>;
  /** Stores the finish time (ms) and the summary JSON of a run. */
  finishRun(runId: number, finishedAtMs: number, summary: Record<string, unknown>): Promise<void>;
  /** Inserts or updates windows by slug. */
  upsertWindows(windows: readonly WindowRecord[]): Promise<void>;
  /** Inserts ticks in multi-row batches. */
  insertTicks(runId: number, ticks: readonly TickRecord[]): Promise<void>;
  /** Inserts or updates the current state of positions by (run, positionKey). */
  upsertPositions(runId: number, positions: readonly PositionRecord[]): Promise<void>;
  /** Appends journal rows; a (run, seq) that exists already is an error. */
  appendPositionEvents(runId: number, events: readonly PositionEventRecord[]): Promise<void>;
  /** Inserts or updates orders by (run, clientOrderId). */
  upsertOrders(runId: number, orders: readonly OrderRecord[]): Promise<void>;
  /** Inserts fills; a trade id seen before in the run is ignored (fills are idempotent, STYLE rule 4). */
  insertFills(runId: number, fills: readonly FillRecord[]): Promise<void>;
  /** Returns the positions of a run, ordered by positionKey. */
  loadPositions(runId: number): Promise<PositionRecord[]>;
  /** Returns the journal of a run ordered by seq. */
  loadPositionEvents(runId: number): Promise<PositionEventRecord[]>;
  /** Returns the highest journal seq of a run; 0 when it has none (or the run is unknown). */
  maxEventSeq(runId: number): Promise<number>;
  /** Returns the orders of a run ordered by createdMs, clientOrderId. */
  loadOrders(runId: number): Promise<OrderRecord[]>;
  /** Returns the fills of a run ordered by tsMs, tradeId. */
  loadFills(runId: number): Promise<FillRecord[]>;
  /**
   * Inserts signed order attempts (before they are posted); a venue order id stored before in the
   * run (or earlier in the batch) is ignored.
   */
  insertOrderAttempts(runId: number, attempts: readonly OrderAttemptRecord[]): Promise<void>;
  /** Returns the order attempts of a run ordered by signedMs, venueOrderId. */
  loadOrderAttempts(runId: number): Promise<OrderAttemptRecord[]>;
  /** Appends raw feed frames in receive order (multi-row batches). */
  insertRawFrames(runId: number, frames: readonly RawFrameRecord[]): Promise<void>;
  /** Returns the raw frames of a run in insertion order. */
  loadRawFrames(runId: number): Promise<RawFrameRecord[]>;
  /** Returns the number of ticks stored for a run. */
  countTicks(runId: number): Promise<number>;
  /** Returns the windows with these slugs (all when omitted), ordered by slug. */
  loadWindows(slugs?: readonly string[]): Promise<WindowRecord[]>;
  /**
   * Takes the wallet's lock without waiting (issue #4: one trader per wallet): a PostgreSQL
   * session advisory lock keyed by the address (see `wallet-lock.ts`). Returns `null` when
   * another session holds it.
   */
  lockWallet(address: string): Promise<WalletLock | null>;
  /** Closes the connection. */
  close(): Promise<void>;
}
