/**
 * The trader's positions by window and by key (design §1, §5; issue #10: carved out of
 * `LiveTrader`). A window's state lives from its first tick (or restored/adopted position) until
 * it resolves; then its positions are forgotten (their trades went to the journal), its key is
 * remembered for a day so its late ticks are dropped, and memory stays flat over long replays.
 * Pure bookkeeping: no clock, no I/O.
 */
import { positionKey, positionKeySeq, windowKey } from '../core/ids';
import type { Side, Tick, WindowRef } from '../core/types';
import { windowEndMs } from '../core/types';
import type { Position } from './position';

/** Per-window state. */
export interface WindowState {
  readonly window: WindowRef;
  /** `windowKey(window)`. */
  readonly key: string;
  /** Window end, ms since the epoch. */
  readonly endMs: number;
  lastTick: Tick | null;
  readonly positions: Position[];
  /** Entries per strategy in this window. */
  readonly entries: Map<string, number>;
  /** Highest position-key number used per strategy (never decremented: keys and order ids stay unique). */
  readonly keySeq: Map<string, number>;
  resolved: boolean;
  /** The winner read from the chain (live), which takes precedence over the last tick's. */
  chainWinner: Side | null;
}

/** How long a resolved window's key is remembered (its late ticks dropped), ms. */
const RESOLVED_KEPT_MS = 86_400_000;

/** Windows and positions of one trader. */
export class PositionBook {
  private readonly windows = new Map<string, WindowState>();
  /** Resolved windows by key → end time (pruned after a day), to drop their late ticks. */
  private readonly resolvedKeys = new Map<string, number>();
  private readonly byKey = new Map<string, Position>();
  /** Earliest end (ms) among the open windows (`Infinity` when none): when to expire next. */
  nextExpiryMs = Number.POSITIVE_INFINITY;

  /** The state of a window (`wk` = its key), created on first use. */
  windowState(w: WindowRef, wk: string = windowKey(w)): WindowState {
    let ws = this.windows.get(wk);
    if (ws === undefined) {
      ws = {
        window: w,
        key: wk,
        endMs: windowEndMs(w),
        lastTick: null,
        positions: [],
        entries: new Map(),
        keySeq: new Map(),
        resolved: false,
        chainWinner: null,
      };
      this.windows.set(wk, ws);
      if (ws.endMs < this.nextExpiryMs) this.nextExpiryMs = ws.endMs;
    }
    return ws;
  }

  /** The state of an open window, or `undefined`. */
  find(w: WindowRef): WindowState | undefined {
    return this.windows.get(windowKey(w));
  }

  /** Every open window's state (a copy: callers may resolve windows while iterating). */
  openWindows(): WindowState[] {
    return [...this.windows.values()];
  }

  /** True when the window `wk` was resolved (its late ticks are dropped). */
  wasResolved(wk: string): boolean {
    return this.resolvedKeys.has(wk);
  }

  /** The next unused position key of a strategy in a window (never reused, even after a failed entry). */
  nextKey(ws: WindowState, strategy: string): string {
    const n = (ws.keySeq.get(strategy) ?? 0) + 1;
    ws.keySeq.set(strategy, n);
    return positionKey(strategy, ws.window, n);
  }

  /** Marks a position key as used (a live restart), so that a new position never takes it again. */
  reserveKey(key: string, strategy: string, window: WindowRef): void {
    const n = positionKeySeq(key, strategy, window);
    if (n === null) return;
    const ws = this.windowState(window);
    if (n > (ws.keySeq.get(strategy) ?? 0)) ws.keySeq.set(strategy, n);
  }

  /** Adds a position to its window (counted in the strategy's entries) and to the key index. */
  register(ws: WindowState, p: Position): void {
    ws.positions.push(p);
    ws.entries.set(p.strategy, (ws.entries.get(p.strategy) ?? 0) + 1);
    this.byKey.set(p.key, p);
  }

  /** A position by key, or `undefined` (positions of resolved windows are forgotten). */
  get(key: string): Position | undefined {
    return this.byKey.get(key);
  }

  /** True when a position with this key is held. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Every held position (CLOSED ones until their window resolves). */
  positions(): IterableIterator<Position> {
    return this.byKey.values();
  }

  /** How many held positions are not CLOSED. */
  openCount(): number {
    let n = 0;
    for (const p of this.byKey.values()) if (p.state !== 'CLOSED') n += 1;
    return n;
  }

  /** The last tick of a position's window, or `null`. */
  lastTickOf(p: Position): Tick | null {
    return this.windows.get(windowKey(p.window))?.lastTick ?? null;
  }

  /**
   * Forgets a resolved window and its positions; remembers its key (for a day of ticks after
   * `nowMs`) so its late ticks are dropped.
   */
  forget(ws: WindowState, nowMs: number): void {
    this.windows.delete(ws.key);
    this.resolvedKeys.set(ws.key, ws.endMs);
    if (this.resolvedKeys.size > 4096) {
      for (const [k, end] of this.resolvedKeys)
        if (end < nowMs - RESOLVED_KEPT_MS) this.resolvedKeys.delete(k);
    }
    for (const p of ws.positions) this.byKey.delete(p.key);
  }
}
