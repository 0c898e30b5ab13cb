/**
 * Position keys unique per window (issue #9 "Inputs"): a 15m and a 1h window starting at the
 * same second are two windows, so one strategy entering both holds two positions with two keys
 * (before the fix both were `s_BTC_<epoch>` and the second entry collided with the first).
 */
import type { TickRow } from '../../src/core/types';
import { at, row, runScenario, ScriptedStrategy } from '../helpers/scenario';

/** The scenario window's row at `sec`, shifted to an epoch on both grids, as window `windowSec`. */
function onGrid(sec: number, bid: number, windowSec: number): TickRow {
  const r = row(sec, { upBid: bid, upAsk: bid + 0.01 });
  // 1766746800 = 490763 h: on the 15m and the 1h grid (the scenario epoch is on the 15m one only)
  return { ...r, tsMs: r.tsMs + 1_800_000, windowSec, windowEpoch: 1_766_746_800 };
}

describe('position keys of windows starting at the same second', () => {
  it('gives a 15m and a 1h window of one strategy two positions with distinct keys', () => {
    const rows = [10, 20].flatMap((s) => [onGrid(s, 0.5, 900), onGrid(s, 0.5, 3600)]);
    const e = runScenario(rows, {
      strategies: [new ScriptedStrategy('s', [[at(10) + 1_800_000, 'UP']])],
      finish: false,
    });
    const open = e.trader.openPositions().map((p) => [p.key, p.window.windowSec, p.state]);
    expect(open.sort()).toEqual([
      ['s_BTC_15m_1766746800', 900, 'OPEN'],
      ['s_BTC_1h_1766746800', 3600, 'OPEN'],
    ]);
    e.finish();
    const trades = e.sink.trades.map((t) => [t.positionKey, t.windowSec]).sort();
    expect(trades).toEqual([
      ['s_BTC_15m_1766746800', 900],
      ['s_BTC_1h_1766746800', 3600],
    ]);
    expect(e.trader.stats.unknownOrderEvents).toBe(0);
  });
});
