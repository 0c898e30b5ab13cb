/**
 * Venue wire shapes of the local exchange (issue #3), mirroring the fixtures in
 * `shared/data/fixtures`: market-WS `book` / `price_change` (current schema) / `tick_size_change`
 * / `last_trade_price` / `best_bid_ask`, and the REST `GET /book` summary. Prices and sizes are
 * decimal strings, market-channel timestamps are ms strings.
 */
import { formatMicros } from '../../src/core/money';
import { formatBest, wireLevels, type WireLevel } from './books';
import type { ExchangeEvent, TokenState } from './engine';

/** Minimum order size in shares announced for every market. */
export const MIN_ORDER_SIZE = 5;

/** A market-WS `book` snapshot object. */
export interface BookFrame {
  readonly event_type: 'book';
  readonly asset_id: string;
  readonly market: string;
  readonly bids: WireLevel[];
  readonly asks: WireLevel[];
  readonly timestamp: string;
  readonly hash: string;
  readonly tick_size: string;
  readonly last_trade_price: string;
}

/** The REST `GET /book` response. */
export interface RestBook {
  readonly market: string;
  readonly asset_id: string;
  readonly timestamp: string;
  readonly hash: string;
  readonly bids: WireLevel[];
  readonly asks: WireLevel[];
  readonly min_order_size: string;
  readonly tick_size: string;
  readonly neg_risk: boolean;
  readonly last_trade_price: string;
}

/** Returns the `book` snapshot of a token (bids ascending, asks descending, like the venue). */
export function bookFrame(t: TokenState): BookFrame {
  const { bids, asks } = wireLevels(t.book);
  return {
    event_type: 'book',
    asset_id: t.tokenId,
    market: t.market.conditionId,
    bids,
    asks,
    timestamp: String(t.updatedMs),
    hash: t.hash,
    tick_size: formatMicros(t.tick),
    last_trade_price: t.lastTrade === null ? '' : formatMicros(t.lastTrade.price),
  };
}

/** Returns the REST `GET /book` body of a token. */
export function restBook(t: TokenState): RestBook {
  const { bids, asks } = wireLevels(t.book);
  return {
    market: t.market.conditionId,
    asset_id: t.tokenId,
    timestamp: String(t.updatedMs),
    hash: t.hash,
    bids,
    asks,
    min_order_size: String(MIN_ORDER_SIZE),
    tick_size: formatMicros(t.tick),
    neg_risk: false,
    last_trade_price: t.lastTrade === null ? '' : formatMicros(t.lastTrade.price),
  };
}

/** Which tokens a socket may see and whether it asked for the custom feature events. */
export interface FrameFilter {
  /** Returns whether frames about `tokenId` go to this socket. */
  readonly wants: (tokenId: string) => boolean;
  readonly customFeature: boolean;
}

/**
 * Returns the wire object of an event for one socket, or `null` when nothing of it is for the
 * socket. `price_change` keeps only the entries the socket wants; `best_bid_ask` needs the
 * custom feature.
 */
export function eventFrame(e: ExchangeEvent, f: FrameFilter): Record<string, unknown> | null {
  switch (e.kind) {
    case 'price_change': {
      const entries = e.entries.filter((x) => f.wants(x.tokenId));
      if (entries.length === 0) return null;
      return {
        event_type: 'price_change',
        market: e.conditionId,
        timestamp: String(e.tsMs),
        price_changes: entries.map((x) => ({
          asset_id: x.tokenId,
          price: formatMicros(x.price),
          size: formatMicros(x.size),
          side: x.side,
          hash: x.hash,
          best_bid: formatBest(x.bestBid),
          best_ask: formatBest(x.bestAsk),
        })),
      };
    }
    case 'tick_size_change':
      if (!f.wants(e.tokenId)) return null;
      return {
        event_type: 'tick_size_change',
        asset_id: e.tokenId,
        market: e.conditionId,
        old_tick_size: formatMicros(e.oldTick),
        new_tick_size: formatMicros(e.newTick),
        timestamp: String(e.tsMs),
      };
    case 'best_bid_ask': {
      if (!f.customFeature || !f.wants(e.tokenId)) return null;
      const spread = e.bid !== null && e.ask !== null ? formatMicros(e.ask - e.bid) : '';
      return {
        event_type: 'best_bid_ask',
        market: e.conditionId,
        asset_id: e.tokenId,
        best_bid: formatBest(e.bid),
        best_ask: formatBest(e.ask),
        spread,
        timestamp: String(e.tsMs),
      };
    }
    case 'last_trade_price':
      if (!f.wants(e.tokenId)) return null;
      return {
        asset_id: e.tokenId,
        event_type: 'last_trade_price',
        fee_rate_bps: '0',
        market: e.conditionId,
        price: formatMicros(e.trade.price),
        side: e.trade.side,
        size: formatMicros(e.trade.size),
        timestamp: String(e.tsMs),
        transaction_hash: e.txHash,
      };
  }
}
