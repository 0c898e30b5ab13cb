/**
 * The metrics' view of a trader (issue #13): its counters, its open positions' labels and its
 * closed trades, read at scrape time.
 */
import type { LiveTrader } from '../trader/live-trader';
import type { TradeLine } from '../trader/position';
import type { TraderSource } from './trading-metrics';

/** The source of `trader`, whose closed trades accumulate in `trades`. */
export function traderSourceOf(trader: LiveTrader, trades: readonly TradeLine[]): TraderSource {
  return {
    stats: trader.stats,
    trades,
    open: () =>
      trader.openPositions().map((p) => ({
        crypto: p.window.crypto,
        windowSec: p.window.windowSec,
        strategy: p.strategy,
        side: p.side,
        entryTimeMs: p.entryTimeMs,
      })),
  };
}
