/**
 * What the dashboard shows (issue #13), kept from the tick stream the trader sees and read from the
 * trader at snapshot time: the windows followed (UP/DOWN best bid/ask, a mid series), each open
 * position with its held token's bid path and its price lines (entry, HWM, stop loss, trailing
 * stop, profit floor, effective stop; `position-lines.ts`), recent exits, feed health, the live
 * panel and the kill switch. Pure and bounded: one sample a second per window and per position
 * (tick time), at most {@link MAX_WINDOWS} windows and {@link MAX_SAMPLES} samples a series; the
 * caller passes the time. Snapshot prices are 0–1 (USDC a share), times ms.
 */
import { windowKey as keyOf } from '../core/ids';
import { fromMicros } from '../core/money';
import { windowEndMs, type Tick, type WindowRef } from '../core/types';
import type { PositionLines } from '../trader/exits/position-lines';
import type { Position, TradeLine } from '../trader/position';

/** Windows kept (the most recent ones by epoch). */
export const MAX_WINDOWS = 8;
/** Samples kept per series (one a second: a 15-minute window). */
export const MAX_SAMPLES = 900;
/** Recent exits shown. */
export const MAX_EXITS = 25;

/** The trader as the dashboard reads it (at each sample and snapshot). */
export interface DashboardTrader {
  /** Positions not CLOSED. */
  positions(): readonly Position[];
  /** Closed trade lines so far, in closing order (the array only grows). */
  readonly trades: readonly TradeLine[];
  /** The price lines of a position (`null`: no entry price yet). */
  lines(p: Position): PositionLines | null;
  /** Entries stopped by the kill switch. */
  readonly killSwitch: boolean;
  /** Flatten mode on (every position being sold). */
  readonly flatten: boolean;
}

/** Feed health (the collector's counters; absent in a replay). */
export interface FeedHealth {
  readonly staleTokens: number;
  readonly reconnects: number;
  readonly frames: number;
  readonly malformed: number;
}

/** The live session's counters the live panel shows. */
export interface LivePanelSource {
  readonly unknownOrders: number;
  readonly reconcilePasses: number;
  /** Discrepancies found so far (all kinds). */
  readonly discrepancies: number;
}

/** Where the model reads from; absent parts show as `null`. */
export interface DashboardSources {
  /** `replay`, `sim`, `live` or `collect`. */
  readonly mode: string;
  readonly trader?: () => DashboardTrader | null;
  readonly feed?: () => FeedHealth | null;
  readonly live?: () => LivePanelSource | null;
}

/** A series of one sample a second: times (unix s) and values (0–1, `null` = none). */
export interface Series {
  readonly t: number[];
  readonly v: Record<string, (number | null)[]>;
}

/** One window in a snapshot. */
export interface WindowView {
  readonly key: string;
  readonly crypto: string;
  readonly windowSec: number;
  readonly windowEpoch: number;
  readonly endMs: number;
  readonly up: { bid: number | null; ask: number | null; stale: boolean };
  readonly down: { bid: number | null; ask: number | null; stale: boolean };
  /** UP mid ((bid + ask) / 2), 0–1. */
  readonly mid: number | null;
  /** `mid` (UP mid) per second. */
  readonly series: Series;
}

/** One open position in a snapshot (prices 0–1). */
export interface PositionView {
  readonly key: string;
  readonly strategy: string;
  readonly windowKey: string;
  readonly side: string;
  readonly state: string;
  readonly shares: number;
  readonly bid: number | null;
  readonly entry: number | null;
  readonly highWaterMark: number | null;
  readonly stopLoss: number | null;
  readonly trailingStop: number | null;
  readonly profitFloor: number | null;
  readonly effectiveStop: number | null;
  readonly orderInFlight: boolean;
  /** `bid`, `stop` (effective), `trailing`, `hwm` per second. */
  readonly series: Series;
}

/** A closed trade line in a snapshot. */
export interface ExitView {
  readonly key: string;
  readonly strategy: string;
  readonly windowKey: string;
  readonly side: string;
  readonly reason: string;
  readonly exitTimeMs: number | null;
  readonly entryPrice: number;
  readonly exitPrice: number | null;
  readonly pnlUsdc: number | null;
}

/** What the page renders (JSON). */
export interface DashboardSnapshot {
  readonly mode: string;
  /** Tick time of the snapshot, ms. */
  readonly nowMs: number;
  /** Bumped by every tick seen: a pusher sends only when it changed. */
  readonly version: number;
  readonly killSwitch: { entriesStopped: boolean; flatten: boolean } | null;
  readonly feed: FeedHealth | null;
  readonly live: (LivePanelSource & { ordersInFlight: number; lastReconcileMs: number | null }) | null;
  readonly windows: WindowView[];
  readonly positions: PositionView[];
  readonly exits: ExitView[];
  readonly totals: { trades: number; pnlUsdc: number; open: number };
}

interface WindowState {
  readonly ref: WindowRef;
  readonly key: string;
  up: Tick['up'];
  down: Tick['down'];
  readonly series: Series;
}

const px = (micros: number | null): number | null => (micros === null ? null : fromMicros(micros));
const midOf = (bid: number | null, ask: number | null): number | null =>
  bid === null || ask === null ? null : fromMicros(Math.round((bid + ask) / 2));

/** Appends a sample, dropping the oldest beyond {@link MAX_SAMPLES}. */
function push(s: Series, sec: number, values: Record<string, number | null>): void {
  s.t.push(sec);
  for (const [k, v] of Object.entries(values)) (s.v[k] ??= []).push(v);
  if (s.t.length > MAX_SAMPLES) {
    s.t.shift();
    for (const a of Object.values(s.v)) a.shift();
  }
}

/** The dashboard's state. */
export class DashboardModel {
  private readonly windows = new Map<string, WindowState>();
  private readonly traces = new Map<string, Series>();
  private lastSec = -1;
  private version = 0;
  private nowMs = 0;
  private reconcilePasses = -1;
  private lastReconcileMs: number | null = null;

  constructor(private readonly sources: DashboardSources) {}

  /** Takes one tick (any order of windows; non-decreasing time). */
  observe(tick: Tick): void {
    this.version += 1;
    this.nowMs = Math.max(this.nowMs, tick.tsMs);
    let w = this.windows.get(tick.windowKey);
    if (w === undefined) {
      w = { ref: tick.window, key: tick.windowKey, up: tick.up, down: tick.down, series: { t: [], v: {} } };
      this.windows.set(tick.windowKey, w);
      this.evictWindows();
    }
    w.up = tick.up;
    w.down = tick.down;
    const sec = Math.floor(tick.tsMs / 1000);
    const last = w.series.t.at(-1);
    if (last !== sec) push(w.series, sec, { mid: midOf(tick.up.bid, tick.up.ask) });
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.samplePositions(sec);
    }
  }

  /** The state now, for the page. */
  snapshot(): DashboardSnapshot {
    const trader = this.sources.trader?.() ?? null;
    const live = this.sources.live?.() ?? null;
    if (live !== null && live.reconcilePasses !== this.reconcilePasses) {
      if (this.reconcilePasses >= 0) this.lastReconcileMs = this.nowMs;
      this.reconcilePasses = live.reconcilePasses;
    }
    const positions = trader?.positions() ?? [];
    const trades = trader?.trades ?? [];
    let pnl = 0;
    for (const l of trades) pnl += l.pnlUsdc ?? 0;
    return {
      mode: this.sources.mode,
      nowMs: this.nowMs,
      version: this.version,
      killSwitch: trader === null ? null : { entriesStopped: trader.killSwitch, flatten: trader.flatten },
      feed: this.sources.feed?.() ?? null,
      live:
        live === null
          ? null
          : {
              ...live,
              ordersInFlight: positions.filter((p) => p.openOrderId !== null).length,
              lastReconcileMs: this.lastReconcileMs,
            },
      windows: [...this.windows.values()]
        .sort((a, b) => b.ref.windowEpoch - a.ref.windowEpoch || a.key.localeCompare(b.key))
        .map((w) => ({
          key: w.key,
          crypto: w.ref.crypto,
          windowSec: w.ref.windowSec,
          windowEpoch: w.ref.windowEpoch,
          endMs: windowEndMs(w.ref),
          up: { bid: px(w.up.bid), ask: px(w.up.ask), stale: w.up.stale === true },
          down: { bid: px(w.down.bid), ask: px(w.down.ask), stale: w.down.stale === true },
          mid: midOf(w.up.bid, w.up.ask),
          series: w.series,
        })),
      positions: trader === null ? [] : positions.map((p) => this.positionView(p, trader)),
      exits: trades
        .slice(-MAX_EXITS)
        .reverse()
        .map((l) => ({
          key: l.positionKey,
          strategy: l.strategy,
          windowKey: keyOf(l),
          side: l.side,
          reason: l.exitReason ?? 'manual',
          exitTimeMs: l.exitTimeMs,
          entryPrice: l.entryPrice,
          exitPrice: l.exitPrice,
          pnlUsdc: l.pnlUsdc,
        })),
      totals: { trades: trades.length, pnlUsdc: Math.round(pnl * 1e6) / 1e6, open: positions.length },
    };
  }

  private positionView(p: Position, trader: DashboardTrader): PositionView {
    const l = trader.lines(p);
    const w = this.windows.get(keyOf(p.window));
    const top = w === undefined ? null : p.side === 'UP' ? w.up : w.down;
    return {
      key: p.key,
      strategy: p.strategy,
      windowKey: keyOf(p.window),
      side: p.side,
      state: p.state,
      shares: fromMicros(p.shares),
      bid: px(top?.bid ?? null),
      entry: px(l?.entry ?? null),
      highWaterMark: px(l?.highWaterMark ?? null),
      stopLoss: px(l?.stopLoss ?? null),
      trailingStop: px(l?.trailingStop ?? null),
      profitFloor: px(l?.profitFloor ?? null),
      effectiveStop: px(l?.effectiveStop ?? null),
      orderInFlight: p.openOrderId !== null,
      series: this.traces.get(p.key) ?? { t: [], v: {} },
    };
  }

  /** One sample a second of every open position's bid and lines; drops traces of closed ones. */
  private samplePositions(sec: number): void {
    const trader = this.sources.trader?.() ?? null;
    if (trader === null) return;
    const open = new Set<string>();
    for (const p of trader.positions()) {
      open.add(p.key);
      const w = this.windows.get(keyOf(p.window));
      const top = w === undefined ? null : p.side === 'UP' ? w.up : w.down;
      const l = trader.lines(p);
      let s = this.traces.get(p.key);
      if (s === undefined) this.traces.set(p.key, (s = { t: [], v: {} }));
      push(s, sec, {
        bid: px(top?.bid ?? null),
        stop: px(l?.effectiveStop ?? null),
        trailing: px(l?.trailingStop ?? null),
        hwm: px(l?.highWaterMark ?? null),
      });
    }
    for (const k of this.traces.keys()) if (!open.has(k)) this.traces.delete(k);
  }

  private evictWindows(): void {
    if (this.windows.size <= MAX_WINDOWS) return;
    const oldest = [...this.windows.values()].sort((a, b) => a.ref.windowEpoch - b.ref.windowEpoch);
    for (const w of oldest.slice(0, this.windows.size - MAX_WINDOWS)) this.windows.delete(w.key);
  }
}
