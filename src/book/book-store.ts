/**
 * Books of every token, and the window → token map. Turns canonical tick rows into book updates
 * and a `Tick` per window (design §4). Pure: no I/O, no clock.
 */
import { syntheticTokenId, windowKey } from '../core/ids';
import type { Tick, TickRow, WindowRef } from '../core/types';
import { OrderBook } from './order-book';

/** The two tokens of a window. */
export interface WindowTokens {
  readonly window: WindowRef;
  /** `windowKey(window)`. */
  readonly key: string;
  readonly up: OrderBook;
  readonly down: OrderBook;
}

/** All books, keyed by token id. */
export class BookStore {
  private readonly books = new Map<string, OrderBook>();
  private readonly windows = new Map<string, WindowTokens>();
  private seq = 0;
  private last: WindowTokens | null = null;

  /**
   * Returns the tokens of a window, creating empty books under the given token ids (synthetic ids
   * from `syntheticTokenId` when not given).
   */
  window(w: WindowRef, ids?: { up: string; down: string }): WindowTokens {
    const key = windowKey(w);
    let entry = this.windows.get(key);
    if (entry === undefined) {
      const up = this.book(ids?.up ?? syntheticTokenId(w, 'UP'));
      const down = this.book(ids?.down ?? syntheticTokenId(w, 'DOWN'));
      entry = {
        window: { crypto: w.crypto, windowSec: w.windowSec, windowEpoch: w.windowEpoch },
        key,
        up,
        down,
      };
      this.windows.set(key, entry);
    }
    return entry;
  }

  /** Returns the book of a token, creating an empty one when unknown. */
  book(tokenId: string): OrderBook {
    let b = this.books.get(tokenId);
    if (b === undefined) {
      b = new OrderBook(tokenId);
      this.books.set(tokenId, b);
    }
    return b;
  }

  /** Returns the book of a token or `undefined` when the token was never seen. */
  find(tokenId: string): OrderBook | undefined {
    return this.books.get(tokenId);
  }

  /** Applies one canonical row (top of book of both tokens) and returns the window's tick. */
  applyRow(row: TickRow): Tick {
    const l = this.last;
    const w =
      l !== null &&
      l.window.windowEpoch === row.windowEpoch &&
      l.window.windowSec === row.windowSec &&
      l.window.crypto === row.crypto
        ? l
        : (this.last = this.window(row));
    w.up.setTop(row.upBid, row.upBidSize, row.upAsk, row.upAskSize);
    w.down.setTop(row.downBid, row.downBidSize, row.downAsk, row.downAskSize);
    return this.tick(w, row.tsMs, row.spot);
  }

  /** Returns a tick of the window's current books at `tsMs`, numbered with the next sequence. */
  tick(w: WindowTokens, tsMs: number, spot: number | null): Tick {
    this.seq += 1;
    return {
      seq: this.seq,
      tsMs,
      window: w.window,
      windowKey: w.key,
      up: w.up.top(),
      down: w.down.top(),
      spot,
    };
  }

  /** Drops the books of a window (after resolution) to keep memory flat over long replays. */
  dropWindow(w: WindowRef): void {
    const key = windowKey(w);
    const entry = this.windows.get(key);
    if (entry === undefined) return;
    this.books.delete(entry.up.tokenId);
    this.books.delete(entry.down.tokenId);
    this.windows.delete(key);
    if (this.last === entry) this.last = null;
  }
}
