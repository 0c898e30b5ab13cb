/**
 * Deterministic L2 books for the local exchange (issue #3). A recording only has the top of
 * book of each token, so a small ladder is synthesised around it: the best level carries the
 * recorded size and a few deeper levels sit 1..{@link DEPTH_LEVELS} ticks away with sizes that
 * depend only on price and side (so a moving top produces few level diffs). All values are
 * integer micros (prices in micro-USDC, sizes in micro-shares).
 */
import { createHash } from 'node:crypto';
import { formatMicros, MICROS, tickSizeFor } from '../../src/core/money';

/** Deeper levels added behind the best level on each side. */
export const DEPTH_LEVELS = 4;
/** Size of the best level when the recording has none (1000 shares, in micro-shares). */
export const DEFAULT_BEST_SIZE = 1_000 * MICROS;
/** Coarse tick (0.01) in micro-USDC. */
export const TICK_COARSE = 10_000;
/** Fine tick (0.001) in micro-USDC, used near the extremes. */
export const TICK_FINE = 1_000;

/** One price level: price in micro-USDC, aggregate size in micro-shares (> 0). */
export interface Level {
  readonly price: number;
  readonly size: number;
}

/** An L2 book: price → size maps per side (sizes in micro-shares, never 0). */
export interface L2Book {
  readonly bids: ReadonlyMap<number, number>;
  readonly asks: ReadonlyMap<number, number>;
}

/** Top of book of one token as recorded (micros; `null` = absent side / unknown size). */
export interface TopInput {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidSize: number | null;
  readonly askSize: number | null;
}

/** One level diff: the new aggregate size at `price` (0 removes the level). */
export interface LevelDiff {
  readonly side: 'BUY' | 'SELL';
  readonly price: number;
  readonly size: number;
}

/**
 * Returns the natural tick of a top of book in micro-USDC: 0.001 when a best price is > 0.96 or
 * < 0.04, else 0.01 (polymarket-protocol.md §3.4.3).
 */
export function naturalTick(top: TopInput): number {
  const fine = [top.bid, top.ask].some((p) => p !== null && tickSizeFor(p) === TICK_FINE);
  return fine ? TICK_FINE : TICK_COARSE;
}

/** Returns the deterministic size (micro-shares) of a deeper level at `price` on `side`. */
export function depthSize(price: number, side: 'BUY' | 'SELL'): number {
  const k = Math.floor(price / TICK_FINE);
  const shares = 50 + ((k * 37 + (side === 'BUY' ? 11 : 23)) % 97) * 10;
  return shares * MICROS;
}

/**
 * Builds the L2 book of one token from its recorded top of book and a tick (micro-USDC):
 * best bid / ask with the recorded size (or {@link DEFAULT_BEST_SIZE}), plus deeper levels at
 * best ∓ k·tick (k = 1..{@link DEPTH_LEVELS}) kept strictly inside (0, 1).
 */
export function buildBook(top: TopInput, tick: number): L2Book {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  if (top.bid !== null) {
    bids.set(top.bid, positiveOr(top.bidSize));
    for (let k = 1; k <= DEPTH_LEVELS; k++) {
      const p = top.bid - k * tick;
      if (p > 0) bids.set(p, depthSize(p, 'BUY'));
    }
  }
  if (top.ask !== null) {
    asks.set(top.ask, positiveOr(top.askSize));
    for (let k = 1; k <= DEPTH_LEVELS; k++) {
      const p = top.ask + k * tick;
      if (p < MICROS) asks.set(p, depthSize(p, 'SELL'));
    }
  }
  return { bids, asks };
}

function positiveOr(size: number | null): number {
  return size !== null && size > 0 ? size : DEFAULT_BEST_SIZE;
}

/**
 * Returns the level diffs that turn `prev` into `next`: removals (size 0) first, then new or
 * changed levels, each group by side (BUY first) and ascending price — a deterministic order in
 * which no intermediate state is crossed when `next` is not crossed.
 */
export function diffBooks(prev: L2Book, next: L2Book): LevelDiff[] {
  const removals: LevelDiff[] = [];
  const updates: LevelDiff[] = [];
  for (const side of ['BUY', 'SELL'] as const) {
    const a = side === 'BUY' ? prev.bids : prev.asks;
    const b = side === 'BUY' ? next.bids : next.asks;
    for (const price of [...a.keys()].sort((x, y) => x - y)) {
      if (!b.has(price)) removals.push({ side, price, size: 0 });
    }
    for (const [price, size] of [...b.entries()].sort((x, y) => x[0] - y[0])) {
      if (a.get(price) !== size) updates.push({ side, price, size });
    }
  }
  return [...removals, ...updates];
}

/** Returns a copy of `book` with one diff applied (size 0 deletes the level). */
export function applyDiff(book: L2Book, d: LevelDiff): L2Book {
  const bids = new Map(book.bids);
  const asks = new Map(book.asks);
  const ladder = d.side === 'BUY' ? bids : asks;
  if (d.size === 0) ladder.delete(d.price);
  else ladder.set(d.price, d.size);
  return { bids, asks };
}

/** Returns the best bid (highest) and best ask (lowest) in micro-USDC, `null` for an empty side. */
export function bestOf(book: L2Book): { bid: number | null; ask: number | null } {
  let bid: number | null = null;
  let ask: number | null = null;
  for (const p of book.bids.keys()) if (bid === null || p > bid) bid = p;
  for (const p of book.asks.keys()) if (ask === null || p < ask) ask = p;
  return { bid, ask };
}

/** Returns the levels of one side sorted by price, ascending or descending. */
export function sortedLevels(ladder: ReadonlyMap<number, number>, order: 'asc' | 'desc'): Level[] {
  const levels = [...ladder.entries()].map(([price, size]) => ({ price, size }));
  levels.sort((x, y) => (order === 'asc' ? x.price - y.price : y.price - x.price));
  return levels;
}

/** A wire level: decimal strings. */
export interface WireLevel {
  readonly price: string;
  readonly size: string;
}

/**
 * Returns both sides in the venue's REST order (bids ascending, asks descending: best LAST,
 * polymarket-protocol.md §5.2) as decimal strings.
 */
export function wireLevels(book: L2Book): { bids: WireLevel[]; asks: WireLevel[] } {
  const fmt = (l: Level): WireLevel => ({ price: formatMicros(l.price), size: formatMicros(l.size) });
  return {
    bids: sortedLevels(book.bids, 'asc').map(fmt),
    asks: sortedLevels(book.asks, 'desc').map(fmt),
  };
}

/** Returns an opaque, deterministic 40-hex change marker for a book state (SHA-1). */
export function bookHash(assetId: string, tsMs: number, book: L2Book): string {
  const { bids, asks } = wireLevels(book);
  return createHash('sha1').update(JSON.stringify({ assetId, tsMs, bids, asks })).digest('hex');
}

/** Formats a best price for a wire field: the decimal string, or `""` for an empty side. */
export function formatBest(price: number | null): string {
  return price === null ? '' : formatMicros(price);
}
