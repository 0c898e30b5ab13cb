/**
 * Domain events of the live market feed (issue #3), produced from venue payloads by the pure
 * parsers in `feed/market-parse.ts` (CLOB market channel, polymarket-protocol.md §3) and
 * `feed/rtds-parse.ts` (RTDS, §4). Units as everywhere in the core: prices in integer micro-USDC
 * per share, sizes in integer micro-shares, times in ms since the epoch. Nothing past the parsers
 * sees a wire string.
 */
import type { Level } from '../book/order-book';

/** Book side: `bid` (venue side BUY) or `ask` (venue side SELL). */
export type BookSide = 'bid' | 'ask';

/** An event of the CLOB market channel, normalised. */
export type MarketEvent =
  | {
      /** Full L2 snapshot of one token: replaces both ladders (§3.4.1). Levels sorted best first. */
      readonly kind: 'book';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly bids: readonly Level[];
      readonly asks: readonly Level[];
      /** Tick size in micro-USDC when the frame carries one. */
      readonly tickSize: number | null;
      readonly venueTsMs: number;
      readonly hash: string | null;
    }
  | {
      /** One `price_change` entry (§3.4.2): `size` is the new level total; 0 removes the level. */
      readonly kind: 'level';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly side: BookSide;
      readonly price: number;
      readonly size: number;
      /** The venue's top of book after the change, when sent (`null` = absent or empty side). */
      readonly bestBid: number | null;
      readonly bestAsk: number | null;
      readonly venueTsMs: number;
    }
  | {
      /** The token's tick changed (§3.4.3): the book is reset until a fresh snapshot. */
      readonly kind: 'tick_size';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly oldTickSize: number;
      readonly newTickSize: number;
      readonly venueTsMs: number;
    }
  | {
      readonly kind: 'last_trade';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly price: number;
      readonly size: number | null;
      readonly side: 'BUY' | 'SELL' | null;
      readonly venueTsMs: number;
    }
  | {
      readonly kind: 'best_bid_ask';
      readonly tokenId: string;
      readonly conditionId: string;
      readonly bestBid: number | null;
      readonly bestAsk: number | null;
      readonly venueTsMs: number;
    }
  | {
      readonly kind: 'market_resolved';
      readonly conditionId: string;
      readonly tokenIds: readonly string[];
      readonly winningTokenId: string;
      readonly venueTsMs: number;
    }
  | {
      readonly kind: 'new_market';
      readonly conditionId: string;
      readonly slug: string;
      readonly tokenIds: readonly string[];
      readonly venueTsMs: number;
    };

/** What one text frame gave: its events, and the objects dropped with the reason. */
export interface FrameParse {
  readonly events: MarketEvent[];
  /** Objects (or the whole frame) rejected: malformed JSON, missing/invalid fields, unknown type. */
  readonly rejected: readonly string[];
  /** True for the keepalive answer `PONG`. */
  readonly pong: boolean;
}

/** A spot / oracle price from RTDS (`crypto_prices_chainlink` or `crypto_prices`). */
export interface SpotPrice {
  readonly topic: string;
  /** Lower-case symbol as sent, e.g. `btc/usd` or `btcusdt`. */
  readonly symbol: string;
  /** Observation time, ms. */
  readonly tsMs: number;
  /** Price in USD (float convenience). */
  readonly value: number;
  /** Exact price ×1e18 as a decimal integer string when sent (Chainlink), else null. */
  readonly valueE18: string | null;
}
