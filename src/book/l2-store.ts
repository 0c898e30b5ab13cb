/**
 * L2 books of the subscribed tokens, maintained from market-channel events
 * (polymarket-protocol.md §3.5): `book` replaces a token's ladders, `level` sets one level,
 * `tick_size` clears the book until the next snapshot. Every event that is not applied is counted
 * by reason, and no book is ever left crossed. Pure state: no I/O, no clock (`recvMs` is an input).
 */
import type { MarketEvent } from '../core/market-events';
import { bookProblem, OrderBook } from './order-book';

/**
 * What to do with a `level` that would cross the book (best bid ≥ best ask).
 * - `reject` drops the level, keeps the book as it was and flags the token `needsSnapshot`.
 * - `evict` applies the level and removes the opposite levels it crosses (the newest level wins),
 *   also flagging `needsSnapshot`. Live data shows why this exists: a taker order that sweeps
 *   resting bids arrives as its new ask level first and the bid removals after it, in the same
 *   millisecond, and the venue's own `best_bid` on that first entry already excludes the swept bids
 *   (fixture `ws_market_price_change_crossing_burst.json`, frame 47).
 */
export type CrossPolicy = 'reject' | 'evict';

/** Counts of what {@link L2Store.apply} did, by outcome. All plain non-negative integers. */
export interface L2Counters {
  /** Snapshots applied. */
  snapshots: number;
  /** Snapshots rejected (crossed, out of range, unsorted); the book was left unchanged. */
  rejectedSnapshots: number;
  /** Level updates applied. */
  levels: number;
  /** Level updates that would have crossed the book (rejected or evicting, per policy). */
  crossedLevels: number;
  /** Level updates with a price outside [0, 1_000_000] or a negative/non-integer size. */
  invalidLevels: number;
  /** Level updates ignored because the token had no snapshot yet (or since a tick change). */
  levelsBeforeSnapshot: number;
  /** Applied levels after which our top of book disagreed with the venue's `best_bid`/`best_ask`. */
  topMismatches: number;
  /** Tick size changes (each clears the book). */
  tickSizeChanges: number;
  /** Book events (book / level / tick_size) for tokens not subscribed: ignored. */
  unknownToken: number;
  /** Events that do not touch a book (last_trade, best_bid_ask, market_resolved, new_market). */
  passthrough: number;
}

/** Outcome of one {@link L2Store.apply}. */
export interface ApplyResult {
  /** True when the token's book changed (levels replaced, set or cleared). */
  readonly changed: boolean;
  /** The token the event was about (`null` for market-level events). */
  readonly tokenId: string | null;
  /** `applied`, `ignored` (unknown token, no snapshot yet, passthrough) or `rejected`. */
  readonly outcome: 'applied' | 'ignored' | 'rejected';
  /** Reason for `ignored` / `rejected`, else null. */
  readonly reason: string | null;
}

/** Options of {@link L2Store}. */
export interface L2StoreOptions {
  /** Handling of a level that would cross the book; default `reject`. */
  readonly crossPolicy?: CrossPolicy;
}

interface TokenState {
  readonly book: OrderBook;
  hasSnapshot: boolean;
  needsSnapshot: boolean;
  lastRecvMs: number;
}

const PASSTHROUGH: ApplyResult = Object.freeze({
  changed: false,
  tokenId: null,
  outcome: 'ignored',
  reason: 'no book',
});

/** The books of the subscribed tokens, fed by parsed market-channel events. */
export class L2Store {
  /** Counters by outcome; mutate only through {@link L2Store.apply}. */
  readonly counters: L2Counters = {
    snapshots: 0,
    rejectedSnapshots: 0,
    levels: 0,
    crossedLevels: 0,
    invalidLevels: 0,
    levelsBeforeSnapshot: 0,
    topMismatches: 0,
    tickSizeChanges: 0,
    unknownToken: 0,
    passthrough: 0,
  };
  private readonly tokens = new Map<string, TokenState>();
  private readonly crossPolicy: CrossPolicy;

  /** Creates an empty store (no token subscribed). */
  constructor(opts: L2StoreOptions = {}) {
    this.crossPolicy = opts.crossPolicy ?? 'reject';
  }

  /** Starts tracking `tokenIds` (empty books, waiting for a snapshot); known ids are kept as they are. */
  subscribe(tokenIds: Iterable<string>): void {
    for (const id of tokenIds) {
      if (!this.tokens.has(id)) {
        this.tokens.set(id, {
          book: new OrderBook(id),
          hasSnapshot: false,
          needsSnapshot: true,
          lastRecvMs: 0,
        });
      }
    }
  }

  /** Stops tracking `tokenIds` and drops their books. */
  unsubscribe(tokenIds: Iterable<string>): void {
    for (const id of tokenIds) this.tokens.delete(id);
  }

  /** Returns the token's book, or `undefined` when the token is not subscribed. */
  book(tokenId: string): OrderBook | undefined {
    return this.tokens.get(tokenId)?.book;
  }

  /** True once a snapshot was applied and no tick change cleared it since. */
  hasSnapshot(tokenId: string): boolean {
    return this.tokens.get(tokenId)?.hasSnapshot ?? false;
  }

  /**
   * True when the token's book should be rebuilt from a fresh `book` (no snapshot yet, a tick
   * change cleared it, or a crossing level was seen); false for unknown tokens.
   */
  needsSnapshot(tokenId: string): boolean {
    return this.tokens.get(tokenId)?.needsSnapshot ?? false;
  }

  /** Receive time (ms, as passed to `apply`) of the last event that changed the token's book, or 0. */
  lastChangeMs(tokenId: string): number {
    return this.tokens.get(tokenId)?.lastRecvMs ?? 0;
  }

  /**
   * Applies one event received at `recvMs` (ms). Never throws; unusable events are counted in
   * {@link L2Store.counters} and reported in the result. Books are never left crossed.
   */
  apply(ev: MarketEvent, recvMs: number): ApplyResult {
    if (ev.kind !== 'book' && ev.kind !== 'level' && ev.kind !== 'tick_size') {
      this.counters.passthrough++;
      return PASSTHROUGH;
    }
    const st = this.tokens.get(ev.tokenId);
    if (st === undefined) {
      this.counters.unknownToken++;
      return result(false, ev.tokenId, 'ignored', 'unknown token');
    }
    if (ev.kind === 'book') {
      const problem = bookProblem(ev.bids, ev.asks);
      if (problem !== null) {
        this.counters.rejectedSnapshots++;
        return result(false, ev.tokenId, 'rejected', problem);
      }
      st.book.replace(ev.bids, ev.asks);
      if (ev.tickSize !== null) st.book.setTickSize(ev.tickSize);
      st.hasSnapshot = true;
      st.needsSnapshot = false;
      st.lastRecvMs = recvMs;
      this.counters.snapshots++;
      return result(true, ev.tokenId, 'applied', null);
    }
    if (ev.kind === 'tick_size') {
      st.book.clear();
      st.book.setTickSize(ev.newTickSize);
      st.hasSnapshot = false;
      st.needsSnapshot = true;
      st.lastRecvMs = recvMs;
      this.counters.tickSizeChanges++;
      return result(true, ev.tokenId, 'applied', null);
    }
    const { price, size, side } = ev;
    if (
      !Number.isInteger(price) ||
      price < 0 ||
      price > 1_000_000 ||
      !Number.isSafeInteger(size) ||
      size < 0
    ) {
      this.counters.invalidLevels++;
      return result(false, ev.tokenId, 'rejected', 'invalid level');
    }
    if (!st.hasSnapshot) {
      this.counters.levelsBeforeSnapshot++;
      return result(false, ev.tokenId, 'ignored', 'no snapshot yet');
    }
    const book = st.book;
    if (size > 0) {
      const opp = side === 'bid' ? book.bestAsk : book.bestBid;
      if (opp !== null && (side === 'bid' ? price >= opp : price <= opp)) {
        this.counters.crossedLevels++;
        st.needsSnapshot = true;
        if (this.crossPolicy === 'reject') return result(false, ev.tokenId, 'rejected', 'crossed');
        evictCrossed(book, side, price);
      }
    }
    book.applyLevel(side, price, size);
    st.lastRecvMs = recvMs;
    this.counters.levels++;
    if (
      (ev.bestBid !== null && ev.bestBid !== book.bestBid) ||
      (ev.bestAsk !== null && ev.bestAsk !== book.bestAsk)
    ) {
      this.counters.topMismatches++;
    }
    return result(true, ev.tokenId, 'applied', null);
  }
}

/** Removes the opposite-side levels that a new `side` level at `price` crosses. */
function evictCrossed(book: OrderBook, side: 'bid' | 'ask', price: number): void {
  if (side === 'bid') {
    let n = 0;
    while (n < book.asks.length && (book.asks[n]?.price ?? Infinity) <= price) n++;
    book.asks = book.asks.slice(n);
  } else {
    let n = 0;
    while (n < book.bids.length && (book.bids[n]?.price ?? -Infinity) >= price) n++;
    book.bids = book.bids.slice(n);
  }
}

function result(
  changed: boolean,
  tokenId: string,
  outcome: ApplyResult['outcome'],
  reason: string | null,
): ApplyResult {
  return { changed, tokenId, outcome, reason };
}
