/**
 * Fill lookup of the CLOB venue (protocol §5.5–5.6; issue #8): the trades behind a matched order,
 * by their ids or — when the order record lists none — by scanning its market's trades for the
 * order id (there is no filter by order id). Every request is bounded by the venue's timeout
 * (`ClobHttp`); a failure returns `null` (ask again later), never throws.
 */
import type { Fill } from '../core/types';
import type { ClobHttp } from './clob-http';
import { fillsFromTrades } from './clob-outcome';

/** Looks up fills at the venue. */
export class FillLookup {
  /** `loadMarket` loads a token's market info (fee schedule) before its fills are read. */
  constructor(
    private readonly http: ClobHttp,
    private readonly loadMarket: (tokenId: string) => Promise<unknown>,
  ) {}

  /** Fills of the trades `tradeIds` (one `GET /data/trades?id=` each); `null` when not readable. */
  async byTradeIds(tradeIds: readonly string[]): Promise<Fill[] | null> {
    try {
      const pages = await Promise.all(tradeIds.map((id) => this.http.getTrades({ id })));
      return fillsFromTrades(pages.flat());
    } catch {
      return null;
    }
  }

  /**
   * Fills of a matched order of token `tokenId`: its listed trades, or — when `associate_trades`
   * is null or empty — the trades of its market (`raw.market`) whose `taker_order_id` or a maker
   * order id is `orderId`. `null` while they cannot be read or are not visible yet.
   */
  async ofOrder(
    tokenId: string,
    orderId: string,
    raw: unknown,
    tradeIds: readonly string[],
  ): Promise<Fill[] | null> {
    try {
      await this.loadMarket(tokenId);
    } catch {
      return null;
    }
    if (tradeIds.length > 0) return this.byTradeIds(tradeIds);
    const rec = (raw ?? {}) as Record<string, unknown>;
    const params: Record<string, string> = { asset_id: tokenId };
    if (typeof rec.market === 'string' && rec.market !== '') params.market = rec.market;
    let trades: unknown[];
    try {
      trades = await this.http.getTrades(params);
    } catch {
      return null;
    }
    const mine = trades.filter((t) => {
      const r = (t ?? {}) as Record<string, unknown>;
      if (r.taker_order_id === orderId) return true;
      return (
        Array.isArray(r.maker_orders) &&
        r.maker_orders.some((m) => (m as { order_id?: unknown })?.order_id === orderId)
      );
    });
    if (mine.length === 0) return null; // matched but its trades not visible yet: ask again later
    return fillsFromTrades(mine);
  }
}
