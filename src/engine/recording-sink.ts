/**
 * A `TraderSink` that buffers journal records and window rows for the repository, and collects
 * closed positions as `trades.jsonl` lines. `flush` writes the buffers in one go; the replay calls
 * it every few thousand rows so memory stays flat.
 */
import { windowKey, windowSlug, syntheticConditionId } from '../core/ids';
import type { Side, TickRow, WindowRef } from '../core/types';
import type { Repository } from '../persistence/repository';
import type {
  FillRecord,
  OrderRecord,
  PositionEventRecord,
  PositionRecord,
  TickRecord,
  WindowRecord,
} from '../persistence/records';
import type { MarketInfo } from '../market/market-info';
import { windowRecordOf } from '../market/window-record';
import type { Position } from '../trader/position';
import { toTradeLines, type TradeLine } from '../trader/position';
import type { TraderSink } from '../trader/trader-sink';

/** Buffers records until `flush`. */
export class RecordingSink implements TraderSink {
  /** Closed trades, in closing order. */
  readonly trades: TradeLine[] = [];
  private events: PositionEventRecord[] = [];
  private positions = new Map<string, PositionRecord>();
  private orders = new Map<string, OrderRecord>();
  private fills: FillRecord[] = [];
  private ticks: TickRecord[] = [];
  private windows = new Map<string, WindowRecord>();
  private readonly seenWindows = new Set<string>();
  /** Windows registered with real token ids (recorded live feed). */
  private readonly known = new Map<string, WindowRecord>();
  private lastKey = '';

  /** Called after a window is resolved (the engine drops its books). */
  onResolved: ((w: WindowRef) => void) | null = null;
  /** Called with every position snapshot (the policy comparison follows each position's stops). */
  onSnapshot: ((p: PositionRecord) => void) | null = null;

  /**
   * Creates a sink; `tokenIds` gives a window's token ids (synthetic for recordings); with
   * `persistTicks` false, ticks are not buffered.
   */
  constructor(
    private readonly tokenIds: (w: WindowRef) => { up: string; down: string },
    private readonly persistTicks: boolean,
  ) {}

  /** Number of buffered rows of every kind. */
  get buffered(): number {
    return (
      this.events.length + this.positions.size + this.orders.size + this.fills.length + this.ticks.length
    );
  }

  /** The position events buffered since the last flush (for inspection in tests and tools). */
  bufferedEvents(): readonly PositionEventRecord[] {
    return this.events;
  }

  /** The order records buffered since the last flush, last state per order. */
  bufferedOrders(): readonly OrderRecord[] {
    return [...this.orders.values()];
  }

  /** Buffers a tick row (and its window row the first time the window is seen). */
  tick(row: TickRow, key: string): void {
    if (this.persistTicks) {
      this.ticks.push({ ...row, recvMs: row.tsMs });
    }
    if (key === this.lastKey) return;
    this.lastKey = key;
    if (!this.seenWindows.has(key)) {
      this.seenWindows.add(key);
      this.windows.set(key, this.windowRecord(row, null));
    }
  }

  /** Registers a window with its real token ids (recorded live feed). */
  window(info: MarketInfo): void {
    const key = windowKey(info.window);
    this.seenWindows.add(key);
    const rec = windowRecordOf(info);
    this.known.set(key, rec);
    this.windows.set(key, rec);
  }

  onPositionEvent(e: PositionEventRecord): void {
    this.events.push(e);
  }

  onPosition(p: PositionRecord): void {
    this.positions.set(p.positionKey, p);
    this.onSnapshot?.(p);
  }

  onOrder(o: OrderRecord): void {
    this.orders.set(o.clientOrderId, o);
  }

  onFill(f: FillRecord): void {
    this.fills.push(f);
  }

  onPositionClosed(p: Position): void {
    if (p.entryTimeMs !== null) this.trades.push(...toTradeLines(p));
  }

  onWindowResolved(w: WindowRef, winner: Side | null): void {
    const key = windowKey(w);
    this.windows.set(key, this.windowRecord(w, winner));
    // forget the window (flat memory over long replays); a late tick would only re-upsert its row
    this.seenWindows.delete(key);
    this.known.delete(key);
    this.onResolved?.(w);
  }

  /**
   * Writes every buffer to the repository (in dependency order) and empties them. When a write
   * fails, the rows not written yet go back to the buffers (before anything buffered since), so
   * the next flush writes them (issue #9: a failed journal write lost its events and states).
   * @throws the repository's error.
   */
  async flush(repo: Repository, runId: number): Promise<void> {
    const windows = [...this.windows.values()];
    const ticks = this.ticks;
    const positions = [...this.positions.values()];
    const orders = [...this.orders.values()];
    const events = this.events;
    const fills = this.fills;
    this.windows = new Map();
    this.ticks = [];
    this.positions = new Map();
    this.orders = new Map();
    this.events = [];
    this.fills = [];
    let step = 0;
    try {
      if (windows.length > 0) await repo.upsertWindows(windows);
      step = 1;
      if (ticks.length > 0) await repo.insertTicks(runId, ticks);
      step = 2;
      if (positions.length > 0) await repo.upsertPositions(runId, positions);
      step = 3;
      if (orders.length > 0) await repo.upsertOrders(runId, orders);
      step = 4;
      if (fills.length > 0) await repo.insertFills(runId, fills);
      step = 5;
      if (events.length > 0) await repo.appendPositionEvents(runId, events);
    } catch (err) {
      // later records of the same key (buffered since) win over the ones put back
      if (step <= 0)
        this.windows = new Map([...windows.map((w) => [windowKey(w), w] as const), ...this.windows]);
      if (step <= 1) this.ticks = [...ticks, ...this.ticks];
      if (step <= 2)
        this.positions = new Map([...positions.map((p) => [p.positionKey, p] as const), ...this.positions]);
      if (step <= 3)
        this.orders = new Map([...orders.map((o) => [o.clientOrderId, o] as const), ...this.orders]);
      if (step <= 4) this.fills = [...fills, ...this.fills];
      this.events = [...events, ...this.events];
      throw err;
    }
  }

  /** Drops the buffers without writing (no repository). */
  discard(): void {
    this.windows.clear();
    this.ticks = [];
    this.positions.clear();
    this.orders.clear();
    this.events = [];
    this.fills = [];
  }

  private windowRecord(w: WindowRef, winner: Side | null): WindowRecord {
    const known = this.known.get(windowKey(w));
    if (known !== undefined) return { ...known, winner };
    const ids = this.tokenIds(w);
    return {
      crypto: w.crypto,
      windowSec: w.windowSec,
      windowEpoch: w.windowEpoch,
      slug: windowSlug(w),
      conditionId: syntheticConditionId(w),
      upTokenId: ids.up,
      downTokenId: ids.down,
      winner,
      startPrice: null,
      endPrice: null,
      expectedWinner: null,
    };
  }
}
