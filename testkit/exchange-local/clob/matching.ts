/**
 * FOK matching of the local CLOB (issue #4; design §8): a checked order fills completely against
 * the token's current book at the makers' prices (reusing the simulated venue's fill model) or is
 * killed. A fill becomes one trade per level, an order record for `GET /data/order/:id`, and
 * ledger changes (fees per polymarket-protocol.md §6.7: in shares on BUY, in USDC on SELL).
 * Ids are deterministic: trades `<orderId[2..18]>-<n>`, transaction hashes SHA-256 of the trade id.
 */
import { createHash } from 'node:crypto';
import { formatMicros } from '../../../src/core/money';
import type { Level } from '../../../src/book/order-book';
import type { FeeModel } from '../../../src/execution/fee-model';
import { fillBuy, fillSell } from '../../../src/execution/fill-model';
import { COLLATERAL, type LedgerChange } from './ledger';
import type { CheckedOrder } from './order-check';

/** A trade as `GET /data/trades` returns it (probe §1.3; protocol §5.6). */
export interface WireTrade {
  readonly id: string;
  readonly taker_order_id: string;
  readonly market: string;
  readonly asset_id: string;
  readonly side: 'BUY' | 'SELL';
  readonly size: string;
  readonly fee_rate_bps: string;
  readonly price: string;
  readonly status: string;
  readonly match_time: string;
  readonly last_update: string;
  readonly outcome: string;
  readonly bucket_index: number;
  readonly owner: string;
  readonly maker_address: string;
  readonly transaction_hash: string;
  readonly maker_orders: never[];
  readonly trader_side: 'TAKER';
}

/** An order as `GET /data/order/:id` returns it (OpenOrder shape). */
export interface WireOrderRecord {
  readonly id: string;
  readonly status: 'MATCHED' | 'CANCELED';
  readonly owner: string;
  readonly maker_address: string;
  readonly market: string;
  readonly asset_id: string;
  readonly side: 'BUY' | 'SELL';
  readonly original_size: string;
  readonly size_matched: string;
  readonly price: string;
  readonly associate_trades: string[];
  readonly outcome: string;
  readonly created_at: number;
  readonly expiration: string;
  readonly order_type: string;
}

/** Where the order trades. */
export interface MatchMarket {
  readonly conditionId: string;
  readonly outcome: string;
  /** Levels best first (asks ascending, bids descending), micros. */
  readonly asks: readonly Level[];
  readonly bids: readonly Level[];
  readonly fee: FeeModel;
}

/** Result of matching one order. */
export interface MatchResult {
  readonly order: WireOrderRecord;
  readonly trades: WireTrade[];
  /** Ledger changes to apply (now or after the settlement delay); empty when killed. */
  readonly changes: LedgerChange[];
  readonly filled: boolean;
  /** Response amounts, micros: what the taker gave and got. */
  readonly making: number;
  readonly taking: number;
}

/** Matches a checked FOK order; `kill` forces the kill path (fault switch). `nowMs` stamps it. */
export function matchFok(o: CheckedOrder, m: MatchMarket, nowMs: number, kill: boolean): MatchResult {
  const res =
    o.side === 'BUY'
      ? fillBuy(m.asks, o.price, o.makerAmount, m.fee)
      : fillSell(m.bids, o.price, o.makerAmount, m.fee);
  const sec = String(Math.floor(nowMs / 1000));
  const filled = !kill && res.kind === 'filled';
  const trades: WireTrade[] = [];
  if (filled && res.kind === 'filled') {
    res.fills.forEach((f, i) => {
      const id = `${o.id.slice(2, 18)}-${i + 1}`;
      trades.push({
        id,
        taker_order_id: o.id,
        market: m.conditionId,
        asset_id: o.tokenId,
        side: o.side,
        size: formatMicros(f.shares),
        fee_rate_bps: String(Math.round(m.fee.rate * 10_000)),
        price: formatMicros(f.price),
        status: 'CONFIRMED',
        match_time: sec,
        last_update: sec,
        outcome: m.outcome,
        bucket_index: 0,
        owner: o.owner,
        maker_address: o.maker,
        transaction_hash: '0x' + createHash('sha256').update(id).digest('hex'),
        maker_orders: [],
        trader_side: 'TAKER',
      });
    });
  }
  const shares = filled && res.kind === 'filled' ? res.shares : 0;
  const order: WireOrderRecord = {
    id: o.id,
    status: filled ? 'MATCHED' : 'CANCELED',
    owner: o.owner,
    maker_address: o.maker,
    market: m.conditionId,
    asset_id: o.tokenId,
    side: o.side,
    original_size: formatMicros(o.side === 'BUY' ? o.takerAmount : o.makerAmount),
    size_matched: formatMicros(shares),
    price: formatMicros(o.price),
    associate_trades: trades.map((t) => t.id),
    outcome: m.outcome,
    created_at: Math.floor(nowMs / 1000),
    expiration: '0',
    order_type: o.orderType,
  };
  if (!filled || res.kind !== 'filled')
    return { order, trades, changes: [], filled: false, making: 0, taking: 0 };
  const changes: LedgerChange[] =
    o.side === 'BUY'
      ? [
          { owner: o.maker, asset: COLLATERAL, delta: -res.notional },
          { owner: o.maker, asset: o.tokenId, delta: res.shares - res.feeShares },
        ]
      : [
          { owner: o.maker, asset: o.tokenId, delta: -res.shares },
          { owner: o.maker, asset: COLLATERAL, delta: res.notional - res.feeUsdc },
        ];
  const making = o.side === 'BUY' ? res.notional : res.shares;
  const taking = o.side === 'BUY' ? res.shares : res.notional;
  return { order, trades, changes, filled: true, making, taking };
}
