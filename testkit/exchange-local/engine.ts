/**
 * Book state of every token of the local exchange (issue #3). Applying a recorded row rebuilds
 * the two books of its window and returns what changed as {@link ExchangeEvent}s, which the
 * market WebSocket turns into venue frames. Pure of I/O; time comes from the rows.
 */
import { createHash } from 'node:crypto';
import { windowKey } from '../../src/core/ids';
import { MICROS } from '../../src/core/money';
import type { Side, TickRow } from '../../src/core/types';
import {
  applyDiff,
  bestOf,
  bookHash,
  buildBook,
  diffBooks,
  naturalTick,
  TICK_COARSE,
  TICK_FINE,
  type L2Book,
  type LevelDiff,
  type TopInput,
} from './books';
import type { Catalog, MarketListing } from './catalog';

/** A trade print: price in micro-USDC, size in micro-shares. */
export interface TradePrint {
  readonly price: number;
  readonly size: number;
  readonly side: 'BUY' | 'SELL';
}

/** Mutable state of one token. */
export interface TokenState {
  readonly tokenId: string;
  readonly market: MarketListing;
  readonly side: Side;
  top: TopInput;
  book: L2Book;
  /** Effective tick, micro-USDC. */
  tick: number;
  /** Tick implied by the recorded top (before any forced override). */
  natural: number;
  /** Forced tick (fault switch) until the natural tick next changes. */
  forced: number | null;
  lastTrade: TradePrint | null;
  /** Time of the last change, ms. */
  updatedMs: number;
  hash: string;
}

/** One entry of a `price_change` event. */
export interface PriceChangeEntry extends LevelDiff {
  readonly tokenId: string;
  /** Top of book of the token right after this entry, micro-USDC (`null` = empty side). */
  readonly bestBid: number | null;
  readonly bestAsk: number | null;
  readonly hash: string;
}

/** What changed on the exchange; all prices and sizes in micros, times in ms. */
export type ExchangeEvent =
  | {
      readonly kind: 'tick_size_change';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly oldTick: number;
      readonly newTick: number;
      readonly tsMs: number;
    }
  | {
      readonly kind: 'price_change';
      readonly conditionId: string;
      readonly tsMs: number;
      readonly entries: readonly PriceChangeEntry[];
    }
  | {
      readonly kind: 'best_bid_ask';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly bid: number | null;
      readonly ask: number | null;
      readonly tsMs: number;
    }
  | {
      readonly kind: 'last_trade_price';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly trade: TradePrint;
      readonly tsMs: number;
      readonly txHash: string;
    };

/** Every how many applied rows of a window a deterministic trade is printed. */
export const TRADE_EVERY_ROWS = 5;

/** Token books of a catalogue, advanced row by row. */
export class ExchangeEngine {
  private readonly tokens = new Map<string, TokenState>();
  private readonly rowsApplied = new Map<string, number>();
  /** Rows skipped because their time was outside their window. */
  rowsOutsideWindow = 0;

  /** Seeds every token's book from the first row of its window. */
  constructor(private readonly catalog: Catalog) {
    for (const m of catalog.markets) {
      const first = catalog.firstRow.get(windowKey(m.window));
      for (const side of ['UP', 'DOWN'] as const) {
        const tokenId = side === 'UP' ? m.upTokenId : m.downTokenId;
        const top = first === undefined ? nullTop() : topOf(first, side);
        const tick = naturalTick(top);
        const book = buildBook(top, tick);
        const tsMs = first?.tsMs ?? m.startMs;
        this.tokens.set(tokenId, {
          tokenId,
          market: m,
          side,
          top,
          book,
          tick,
          natural: tick,
          forced: null,
          lastTrade: null,
          updatedMs: tsMs,
          hash: bookHash(tokenId, tsMs, book),
        });
      }
    }
  }

  /** Returns a token's state, or `undefined` for an unknown token. */
  token(tokenId: string): TokenState | undefined {
    return this.tokens.get(tokenId);
  }

  /**
   * Applies one recorded row: rebuilds both books of its window and returns the tick-size
   * changes, one `price_change` (diffs of both tokens), `best_bid_ask` for tokens whose top moved
   * and, every {@link TRADE_EVERY_ROWS} rows, a `last_trade_price`. Rows of unknown windows or
   * outside `[start, end)` of their window return `[]` (the latter counted).
   */
  applyRow(row: TickRow): ExchangeEvent[] {
    const m = this.catalog.byWindowKey.get(windowKey(row));
    if (m === undefined) return [];
    if (row.tsMs < m.startMs || row.tsMs >= m.endMs) {
      this.rowsOutsideWindow++;
      return [];
    }
    const n = (this.rowsApplied.get(m.slug) ?? 0) + 1;
    this.rowsApplied.set(m.slug, n);
    const events = this.rebuild(m, row.tsMs, { UP: topOf(row, 'UP'), DOWN: topOf(row, 'DOWN') });
    const trade = n % TRADE_EVERY_ROWS === 0 ? this.tradeFor(m, n, row.tsMs) : null;
    if (trade !== null) events.push(trade);
    return events;
  }

  /**
   * Forces a tick-size change on a token (fault switch): flips its tick between 0.01 and 0.001
   * until its recorded top next implies a different natural tick, and rebuilds its book.
   * Returns `[]` for an unknown token.
   */
  forceTickChange(tokenId: string, tsMs: number): ExchangeEvent[] {
    const t = this.tokens.get(tokenId);
    if (t === undefined) return [];
    t.forced = t.tick === TICK_COARSE ? TICK_FINE : TICK_COARSE;
    const m = t.market;
    const up = this.tokens.get(m.upTokenId);
    const down = this.tokens.get(m.downTokenId);
    if (up === undefined || down === undefined) return [];
    return this.rebuild(m, Math.max(tsMs, t.updatedMs), { UP: up.top, DOWN: down.top });
  }

  private rebuild(m: MarketListing, tsMs: number, tops: Record<Side, TopInput>): ExchangeEvent[] {
    const ticks: ExchangeEvent[] = [];
    const entries: PriceChangeEntry[] = [];
    const bbas: ExchangeEvent[] = [];
    for (const side of ['UP', 'DOWN'] as const) {
      const t = this.tokens.get(side === 'UP' ? m.upTokenId : m.downTokenId);
      if (t === undefined) continue;
      const top = tops[side];
      const natural = naturalTick(top);
      if (natural !== t.natural) t.forced = null;
      t.natural = natural;
      const tick = t.forced ?? natural;
      if (tick !== t.tick) {
        ticks.push({
          kind: 'tick_size_change',
          tokenId: t.tokenId,
          conditionId: m.conditionId,
          oldTick: t.tick,
          newTick: tick,
          tsMs,
        });
        t.tick = tick;
      }
      t.top = top;
      const next = buildBook(top, tick);
      const diffs = diffBooks(t.book, next);
      if (diffs.length === 0) continue;
      const before = bestOf(t.book);
      t.updatedMs = tsMs;
      t.hash = bookHash(t.tokenId, tsMs, next);
      let cur = t.book;
      for (const d of diffs) {
        cur = applyDiff(cur, d);
        const best = bestOf(cur);
        entries.push({ ...d, tokenId: t.tokenId, bestBid: best.bid, bestAsk: best.ask, hash: t.hash });
      }
      t.book = next;
      const after = bestOf(next);
      if (after.bid !== before.bid || after.ask !== before.ask) {
        bbas.push({
          kind: 'best_bid_ask',
          tokenId: t.tokenId,
          conditionId: m.conditionId,
          bid: after.bid,
          ask: after.ask,
          tsMs,
        });
      }
    }
    const out = [...ticks];
    if (entries.length > 0) out.push({ kind: 'price_change', conditionId: m.conditionId, tsMs, entries });
    return [...out, ...bbas];
  }

  private tradeFor(m: MarketListing, n: number, tsMs: number): ExchangeEvent | null {
    const side: Side = (n / TRADE_EVERY_ROWS) % 2 === 1 ? 'UP' : 'DOWN';
    const t = this.tokens.get(side === 'UP' ? m.upTokenId : m.downTokenId);
    if (t === undefined) return null;
    const best = bestOf(t.book);
    const buy = n % 3 !== 0;
    const price = buy ? best.ask : best.bid;
    if (price === null) return null;
    const trade: TradePrint = { price, size: (5 + (n % 20)) * MICROS, side: buy ? 'BUY' : 'SELL' };
    t.lastTrade = trade;
    const txHash = '0x' + createHash('sha256').update(`${t.tokenId}:${n}`).digest('hex');
    return { kind: 'last_trade_price', tokenId: t.tokenId, conditionId: m.conditionId, trade, tsMs, txHash };
  }
}

/** Returns the recorded top of book of one side of a row. */
export function topOf(row: TickRow, side: Side): TopInput {
  return side === 'UP'
    ? { bid: row.upBid, ask: row.upAsk, bidSize: row.upBidSize, askSize: row.upAskSize }
    : { bid: row.downBid, ask: row.downAsk, bidSize: row.downBidSize, askSize: row.downAskSize };
}

function nullTop(): TopInput {
  return { bid: null, ask: null, bidSize: null, askSize: null };
}
