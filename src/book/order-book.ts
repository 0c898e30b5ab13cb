/**
 * An L2 order book for one token: price levels as integers (micro-USDC per share) with sizes in
 * micro-shares, bids best (highest) first and asks best (lowest) first. A level size of `null`
 * means "size unknown": top-of-book recordings without sizes (issue #2), which the fill model
 * treats as deep enough. Pure data structure: no I/O, no clock.
 */
import { tickSizeFor as tickSizeForImport } from '../core/money';

// bound once: called for every book on every tick (see mid-signal-strategy.ts)
const tickSizeFor = tickSizeForImport;
import type { TopOfBook } from '../core/types';

/** One price level. */
export interface Level {
  /** Price, micro-USDC per share. */
  readonly price: number;
  /** Size, micro-shares; `null` = unknown. */
  readonly size: number | null;
}

/** A level the book may update in place (top-of-book replays allocate nothing per row). */
interface MutableLevel {
  price: number;
  size: number | null;
}

const EMPTY: readonly Level[] = Object.freeze([]);

/** Returns `side` holding the one level (reusing its array and level object) or no level. */
function setSingle(side: Level[], price: number | null, size: number | null): Level[] {
  if (price === null) return side.length === 0 ? side : (EMPTY as Level[]);
  if (side.length === 1) {
    const l = side[0] as MutableLevel;
    l.price = price;
    l.size = size;
    return side;
  }
  return [{ price, size }];
}

/** Book of one token. */
export class OrderBook {
  /** Bids, highest price first. */
  bids: Level[] = [];
  /** Asks, lowest price first. */
  asks: Level[] = [];
  /** Tick size in micro-USDC; `null` = derived from the best prices (tickSizeFor). */
  private fixedTick: number | null = null;

  /** Creates an empty book for `tokenId`. */
  constructor(readonly tokenId: string) {}

  /** Replaces the whole book with the given top of book (one level a side at most). */
  setTop(bid: number | null, bidSize: number | null, ask: number | null, askSize: number | null): void {
    this.bids = setSingle(this.bids, bid, bidSize);
    this.asks = setSingle(this.asks, ask, askSize);
  }

  /** Replaces both sides with full depth; `bids` and `asks` are sorted best first by this call. */
  setLevels(bids: readonly Level[], asks: readonly Level[]): void {
    this.bids = [...bids].sort((a, b) => b.price - a.price);
    this.asks = [...asks].sort((a, b) => a.price - b.price);
  }

  /**
   * Replaces both sides with ladders already sorted best first (bids descending, asks ascending),
   * as `parseMarketFrame` returns them. Copies the arrays and levels (the book owns its state);
   * does not re-sort or validate: check with {@link bookProblem} first.
   */
  replace(bids: readonly Level[], asks: readonly Level[]): void {
    this.bids = bids.map((l) => ({ price: l.price, size: l.size }));
    this.asks = asks.map((l) => ({ price: l.price, size: l.size }));
  }

  /** Removes every level of both sides (the tick size is kept). */
  clear(): void {
    this.bids = [];
    this.asks = [];
  }

  /**
   * Sets the total size at one price level (micro-USDC, micro-shares): inserts, replaces or, for
   * `size` 0, deletes the level, keeping the side sorted best first (binary search, O(log n) to
   * find plus the array shift). Does not check for a crossed book: see {@link bookProblem}.
   */
  applyLevel(side: 'bid' | 'ask', price: number, size: number): void {
    const desc = side === 'bid';
    let arr = desc ? this.bids : this.asks;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      const p = (arr[m] as Level).price;
      if (desc ? p > price : p < price) lo = m + 1;
      else hi = m;
    }
    const found = arr[lo]?.price === price;
    if (size === 0 && !found) return;
    if (Object.isFrozen(arr)) arr = [];
    if (size === 0) arr.splice(lo, 1);
    else if (found) arr[lo] = { price, size };
    else arr.splice(lo, 0, { price, size });
    if (desc) this.bids = arr;
    else this.asks = arr;
  }

  /** Sets the venue tick size (micro-USDC); `null` returns to deriving it from prices. */
  setTickSize(tick: number | null): void {
    this.fixedTick = tick;
  }

  /** Best bid price or `null`. */
  get bestBid(): number | null {
    return this.bids[0]?.price ?? null;
  }

  /** Best ask price or `null`. */
  get bestAsk(): number | null {
    return this.asks[0]?.price ?? null;
  }

  /**
   * Tick size in micro-USDC: the venue's when set, else 0.001 when a best price is above 0.96 or
   * below 0.04 and 0.01 otherwise (polymarket-protocol.md §6.2).
   */
  get tickSize(): number {
    return this.fixedTick ?? derivedTickSize(this.bestBid, this.bestAsk);
  }

  /** Returns the top of book snapshot. */
  top(): TopOfBook {
    const b = this.bids[0];
    const a = this.asks[0];
    const bid = b === undefined ? null : b.price;
    const ask = a === undefined ? null : a.price;
    const tickSize = this.fixedTick ?? derivedTickSize(bid, ask);
    return {
      tokenId: this.tokenId,
      bid,
      ask,
      bidSize: b === undefined ? null : b.size,
      askSize: a === undefined ? null : a.size,
      tickSize,
    };
  }
}

/**
 * Returns why two ladders (best first, micro-USDC / micro-shares) cannot form a valid book, or
 * `null` when they can: `'crossed'` when the best bid ≥ the best ask; `'price out of range'` for a
 * price that is not an integer in [0, 1_000_000]; `'negative size'`; `'unsorted'` when a side is
 * not strictly best first (which also catches duplicate prices). Pure; O(levels).
 */
export function bookProblem(bids: readonly Level[], asks: readonly Level[]): string | null {
  for (let k = 0; k < 2; k++) {
    const side = k === 0 ? bids : asks;
    let prev = k === 0 ? Infinity : -Infinity;
    for (const l of side) {
      const p = l.price;
      if (!Number.isInteger(p) || p < 0 || p > 1_000_000) return 'price out of range';
      if (l.size !== null && !(l.size >= 0)) return 'negative size';
      if (k === 0 ? p >= prev : p <= prev) return 'unsorted';
      prev = p;
    }
  }
  const b = bids[0];
  const a = asks[0];
  return b !== undefined && a !== undefined && b.price >= a.price ? 'crossed' : null;
}

/**
 * Tick size implied by the best prices (micro-USDC): 0.001 when either is above 0.96 or below
 * 0.04, else 0.01 (polymarket-protocol.md §6.2).
 */
export function derivedTickSize(bid: number | null, ask: number | null): number {
  return (bid !== null && tickSizeFor(bid) === 1_000) || (ask !== null && tickSizeFor(ask) === 1_000)
    ? 1_000
    : 10_000;
}

/**
 * Mid price of a top of book for settlement by last mid (issue #2): `(bid + ask) / 2` when both
 * exist, the other price when one side is absent, `null` when both are.
 */
export function settlementMid(top: Pick<TopOfBook, 'bid' | 'ask'>): number | null {
  if (top.bid !== null && top.ask !== null) return (top.bid + top.ask) / 2;
  return top.bid ?? top.ask;
}

/** Mid price `(bid + ask) / 2` in micro-USDC, or `null` unless both sides exist. */
export function mid(top: Pick<TopOfBook, 'bid' | 'ask'>): number | null {
  return top.bid !== null && top.ask !== null ? (top.bid + top.ask) / 2 : null;
}
