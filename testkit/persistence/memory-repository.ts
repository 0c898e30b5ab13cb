/**
 * An in-memory repository with the same semantics as the knex one (unit tests, benchmarks):
 * upserts by natural key, idempotent fills and order attempts, append-only journal with unique
 * (run, seq).
 */
import type { ParityRecord } from '../../src/parity/parity-record';
import { InvariantError } from '../../src/core/errors';
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
} from '../../src/persistence/records';
import { storableText, type StoredRun } from '../../src/persistence/knex-repository';
import type { Repository } from '../../src/persistence/repository';
import { storedWallet } from '../../src/persistence/row-spec';
import { tryLockInProcess, type WalletLock } from '../../src/persistence/wallet-lock';

/** Per-run data. */
interface RunData {
  ticks: number;
  readonly positions: Map<string, PositionRecord>;
  readonly events: Map<number, PositionEventRecord>;
  readonly orders: Map<string, OrderRecord>;
  readonly fills: FillRecord[];
  /** Order attempts by venue order id. */
  readonly attempts: Map<string, OrderAttemptRecord>;
  readonly rawFrames: RawFrameRecord[];
}

/** Byte-order string comparison (matches `collate "C"` for the ASCII keys we store). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Returns a deep copy of a JSON value, as a database round trip would. */
function jsonCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * {@link Repository} held in process memory. Records are immutable, so they are stored as given
 * (JSON fields are copied). Ticks are counted, not kept, unless `keepTicks` is set.
 */
export class MemoryRepository implements Repository {
  private readonly runs = new Map<number, StoredRun>();
  private readonly data = new Map<number, RunData>();
  /** Parity rows by live run, then position key (issue #11). */
  private readonly parity = new Map<number, Map<string, ParityRecord>>();
  private readonly windows = new Map<string, WindowRecord>();
  private readonly tradeIds = new Set<string>();
  private readonly tickLog: Array<{ readonly runId: number; readonly tick: TickRecord }> = [];
  private nextRunId = 1;

  /** Creates an empty repository; `keepTicks` keeps inserted ticks for {@link ticks}. */
  constructor(private readonly opts: { readonly keepTicks?: boolean } = {}) {}

  /** Does nothing (no schema in memory). */
  async migrate(): Promise<void> {}

  /** Stores a run (its wallet lowercased) and returns its id (1, 2, …). */
  async createRun(run: RunRecord): Promise<number> {
    const id = this.nextRunId++;
    const wallet = storedWallet(run.wallet);
    this.runs.set(id, {
      ...run,
      id,
      wallet,
      config: jsonCopy(run.config),
      finishedAtMs: null,
      summary: null,
    });
    this.data.set(id, {
      ticks: 0,
      positions: new Map(),
      events: new Map(),
      orders: new Map(),
      fills: [],
      attempts: new Map(),
      rawFrames: [],
    });
    return id;
  }

  /** Returns the id of the newest run with this mode and wallet (case-insensitive), or null. */
  /** See {@link Repository.latestRun}. */
  async latestRun(mode: RunRecord['mode']): Promise<number | null> {
    let latest: number | null = null;
    for (const r of this.runs.values())
      if (r.mode === mode && (latest === null || r.id > latest)) latest = r.id;
    return latest;
  }

  /** See {@link Repository.linkedRunOf}. */
  async linkedRunOf(runId: number, mode: RunRecord['mode']): Promise<number | null> {
    let latest: number | null = null;
    for (const r of this.runs.values())
      if (r.mode === mode && (r.linkedRunId ?? null) === runId && (latest === null || r.id > latest))
        latest = r.id;
    return latest;
  }

  async latestRunOf(mode: RunRecord['mode'], wallet: string): Promise<number | null> {
    const w = wallet.toLowerCase();
    let latest: number | null = null;
    for (const r of this.runs.values()) {
      if (r.mode === mode && r.wallet === w && (latest === null || r.id > latest)) latest = r.id;
    }
    return latest;
  }

  /**
   * Stores the finish time (ms) and the summary JSON of a run.
   * @throws {InvariantError} when the run does not exist.
   */
  async finishRun(runId: number, finishedAtMs: number, summary: Record<string, unknown>): Promise<void> {
    const run = this.runs.get(runId);
    if (run === undefined) throw new InvariantError(`finishRun: run ${runId} does not exist`);
    this.runs.set(runId, { ...run, finishedAtMs, summary: jsonCopy(summary) });
  }

  /** Inserts or updates windows by slug; a known winner is never reset to null. */
  async upsertWindows(windows: readonly WindowRecord[]): Promise<void> {
    for (const w of windows) {
      const old = this.windows.get(w.slug);
      this.windows.set(
        w.slug,
        old === undefined
          ? w
          : {
              ...w,
              winner: w.winner ?? old.winner,
              startPrice: w.startPrice ?? old.startPrice,
              endPrice: w.endPrice ?? old.endPrice,
              expectedWinner: w.expectedWinner ?? old.expectedWinner,
            },
      );
    }
  }

  /**
   * Counts (and with `keepTicks`, keeps) ticks, all or none.
   * @throws {InvariantError} when the run does not exist.
   * @throws {RangeError} when a time, size or price is not a safe integer (as the knex one).
   */
  async insertTicks(runId: number, ticks: readonly TickRecord[]): Promise<void> {
    const data = this.run(runId);
    for (const t of ticks) {
      for (const v of [
        t.tsMs,
        t.recvMs,
        t.windowSec,
        t.windowEpoch,
        t.upBid,
        t.upAsk,
        t.upBidSize,
        t.upAskSize,
      ]) {
        if (v !== null && !Number.isSafeInteger(v))
          throw new RangeError(`insertTicks: not a safe integer: ${v}`);
      }
      for (const v of [t.downBid, t.downAsk, t.downBidSize, t.downAskSize]) {
        if (v !== null && !Number.isSafeInteger(v))
          throw new RangeError(`insertTicks: not a safe integer: ${v}`);
      }
      if (t.spot !== null && !Number.isFinite(t.spot))
        throw new RangeError(`insertTicks: not a finite number: ${t.spot}`);
    }
    data.ticks += ticks.length;
    if (this.opts.keepTicks === true) for (const tick of ticks) this.tickLog.push({ runId, tick });
  }

  /**
   * Inserts or updates positions by (run, positionKey).
   * @throws {InvariantError} when the run does not exist.
   */
  async upsertPositions(runId: number, positions: readonly PositionRecord[]): Promise<void> {
    const map = this.run(runId).positions;
    for (const p of positions) map.set(p.positionKey, p);
  }

  /**
   * Appends journal rows, all or none.
   * @throws {InvariantError} when the run does not exist, or a (run, seq) exists already or
   * repeats within the batch.
   */
  async appendPositionEvents(runId: number, events: readonly PositionEventRecord[]): Promise<void> {
    const map = this.run(runId).events;
    const seen = new Set<number>();
    for (const e of events) {
      if (map.has(e.seq) || seen.has(e.seq)) {
        throw new InvariantError(`appendPositionEvents: duplicate seq ${e.seq} in run ${runId}`);
      }
      seen.add(e.seq);
    }
    for (const e of events) map.set(e.seq, { ...e, data: jsonCopy(e.data) });
  }

  /**
   * Inserts or updates orders by (run, clientOrderId).
   * @throws {InvariantError} when the run does not exist.
   */
  async upsertOrders(runId: number, orders: readonly OrderRecord[]): Promise<void> {
    const map = this.run(runId).orders;
    for (const o of orders) map.set(o.clientOrderId, o);
  }

  /**
   * Inserts fills; a trade id stored before in the same run (or earlier in the batch) is ignored.
   * @throws {InvariantError} when the run does not exist.
   */
  async insertFills(runId: number, fills: readonly FillRecord[]): Promise<void> {
    const list = this.run(runId).fills;
    for (const f of fills) {
      const key = `${runId}:${f.tradeId}`;
      if (this.tradeIds.has(key)) continue;
      this.tradeIds.add(key);
      list.push(f);
    }
  }

  /** Returns the positions of a run ordered by positionKey (empty for an unknown run). */
  async loadPositions(runId: number): Promise<PositionRecord[]> {
    const map = this.data.get(runId)?.positions ?? new Map<string, PositionRecord>();
    return [...map.values()].sort((a, b) => cmp(a.positionKey, b.positionKey));
  }

  /** Returns the journal of a run ordered by seq (empty for an unknown run). */
  async loadPositionEvents(runId: number): Promise<PositionEventRecord[]> {
    const map = this.data.get(runId)?.events ?? new Map<number, PositionEventRecord>();
    return [...map.values()].sort((a, b) => a.seq - b.seq).map((e) => ({ ...e, data: jsonCopy(e.data) }));
  }

  /** Returns the highest journal seq of a run; 0 when it has none (or the run is unknown). */
  async maxEventSeq(runId: number): Promise<number> {
    let max = 0;
    for (const seq of this.data.get(runId)?.events.keys() ?? []) max = Math.max(max, seq);
    return max;
  }

  /** Returns the orders of a run ordered by createdMs, clientOrderId (empty for an unknown run). */
  async loadOrders(runId: number): Promise<OrderRecord[]> {
    const map = this.data.get(runId)?.orders ?? new Map<string, OrderRecord>();
    return [...map.values()].sort(
      (a, b) => a.createdMs - b.createdMs || cmp(a.clientOrderId, b.clientOrderId),
    );
  }

  /** See {@link Repository.upsertParity}. @throws {InvariantError} when a run does not exist. */
  async upsertParity(liveRunId: number, shadowRunId: number, rows: readonly ParityRecord[]): Promise<void> {
    this.run(liveRunId);
    this.run(shadowRunId);
    let map = this.parity.get(liveRunId);
    if (map === undefined) this.parity.set(liveRunId, (map = new Map()));
    for (const r of rows) map.set(r.positionKey, jsonCopy(r));
  }

  /** See {@link Repository.loadParity}. */
  async loadParity(liveRunId: number): Promise<ParityRecord[]> {
    const map = this.parity.get(liveRunId) ?? new Map<string, ParityRecord>();
    return [...map.values()].sort(
      (a, b) => a.windowEpoch - b.windowEpoch || cmp(a.positionKey, b.positionKey),
    );
  }

  /** Returns the fills of a run ordered by tsMs, tradeId (empty for an unknown run). */
  async loadFills(runId: number): Promise<FillRecord[]> {
    const list = this.data.get(runId)?.fills ?? [];
    return [...list].sort((a, b) => a.tsMs - b.tsMs || cmp(a.tradeId, b.tradeId));
  }

  /**
   * Inserts signed order attempts; a venue order id stored before in the same run (or earlier in
   * the batch) is ignored.
   * @throws {InvariantError} when the run does not exist.
   */
  async insertOrderAttempts(runId: number, attempts: readonly OrderAttemptRecord[]): Promise<void> {
    const map = this.run(runId).attempts;
    for (const a of attempts) if (!map.has(a.venueOrderId)) map.set(a.venueOrderId, a);
  }

  /** Returns the order attempts of a run ordered by signedMs, venueOrderId (empty for an unknown run). */
  async loadOrderAttempts(runId: number): Promise<OrderAttemptRecord[]> {
    const map = this.data.get(runId)?.attempts ?? new Map<string, OrderAttemptRecord>();
    return [...map.values()].sort((a, b) => a.signedMs - b.signedMs || cmp(a.venueOrderId, b.venueOrderId));
  }

  /** Returns the number of ticks stored for a run (0 for an unknown run). */
  async countTicks(runId: number): Promise<number> {
    return this.data.get(runId)?.ticks ?? 0;
  }

  /** Appends raw frames (copies). @throws {InvariantError} when the run does not exist. */
  async insertRawFrames(runId: number, frames: readonly RawFrameRecord[]): Promise<void> {
    const data = this.run(runId);
    for (const f of frames) data.rawFrames.push({ ...f, text: storableText(f.text) });
  }

  /** Returns the raw frames of a run in insertion order. */
  async loadRawFrames(runId: number): Promise<RawFrameRecord[]> {
    return [...(this.data.get(runId)?.rawFrames ?? [])];
  }

  /** Returns the windows with these slugs (all when omitted), ordered by slug. */
  async loadWindows(slugs?: readonly string[]): Promise<WindowRecord[]> {
    const all = [...this.windows.values()];
    const wanted = slugs === undefined ? undefined : new Set(slugs);
    return all.filter((w) => wanted === undefined || wanted.has(w.slug)).sort((a, b) => cmp(a.slug, b.slug));
  }

  /** See {@link Repository.lockWallet}: an in-process lock per address. */
  async lockWallet(address: string): Promise<WalletLock | null> {
    return tryLockInProcess(address);
  }

  /** Does nothing; the data stays readable. */
  async close(): Promise<void> {}

  /** Returns a run with its finish time and summary, or undefined (not part of the port). */
  async loadRun(runId: number): Promise<StoredRun | undefined> {
    const r = this.runs.get(runId);
    return r === undefined ? undefined : jsonCopy(r);
  }

  /** Returns the kept ticks of a run in insertion order; empty unless `keepTicks` was set. */
  ticks(runId: number): TickRecord[] {
    return this.tickLog.filter((t) => t.runId === runId).map((t) => t.tick);
  }

  /** Returns the data of an existing run. @throws {InvariantError} when the run does not exist. */
  private run(runId: number): RunData {
    const d = this.data.get(runId);
    if (d === undefined) throw new InvariantError(`run ${runId} does not exist`);
    return d;
  }
}
