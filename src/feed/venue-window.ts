/**
 * The venue's window rules applied to recorded rows (issue #9 "Inputs"): the crypto Up/Down
 * markets exist only for upper-case asset symbols, the intervals 5m/15m/1h/4h, and window starts
 * on the interval's grid (polymarket-protocol.md §2.2; the grids are those of
 * `src/market/windows.ts` {@link isWindowStart}: 5m/15m/1h multiples of the interval in unix
 * seconds, 4h on US-Eastern boundaries). A row of any other window is no venue market: the loader
 * drops it and counts it under the returned reason.
 *
 * An upper-case asset outside `BTC/ETH/SOL/XRP` is kept: §2.2 reports doge/bnb/hype markets of
 * the same shapes, so the symbol alone does not prove a row wrong. A lower- or mixed-case symbol
 * (`btc`) is refused: the venue and every other part of the trader spell assets upper case, and
 * keeping it would make `btc` and `BTC` two different windows of one market.
 */
import { intervalOf, isWindowStart } from '../market/windows';

/**
 * Why a row's window is not a venue window: `cryptoCase` (the asset symbol is not upper case),
 * `unknownInterval` (a `windowSec` other than 300, 900, 3600, 14400), `offGrid` (a start that is
 * not on the interval's grid).
 */
export type WindowProblem = 'cryptoCase' | 'unknownInterval' | 'offGrid';

/**
 * Returns why the window (`crypto`, `windowSec` in s, `windowEpoch` start in unix s) is not a venue
 * window, or `null` when it is one. Checks in this order: crypto case, interval, grid.
 */
export function windowProblem(crypto: string, windowSec: number, windowEpoch: number): WindowProblem | null {
  if (crypto !== crypto.toUpperCase()) return 'cryptoCase';
  if (intervalOf(windowSec) === null) return 'unknownInterval';
  return isWindowStart(windowSec, windowEpoch) ? null : 'offGrid';
}

/**
 * {@link windowProblem} with a one-window memo: recorded rows come in long runs of the same
 * window (about 900 rows per 15m window at 1 row/s), so the grid is computed once per run.
 */
export class VenueWindowCheck {
  private crypto = '';
  private windowSec = NaN;
  private windowEpoch = NaN;
  private last: WindowProblem | null = null;

  /** Returns the problem of a row's window (see {@link windowProblem}), or `null`. */
  check(row: {
    readonly crypto: string;
    readonly windowSec: number;
    readonly windowEpoch: number;
  }): WindowProblem | null {
    if (
      row.windowEpoch !== this.windowEpoch ||
      row.windowSec !== this.windowSec ||
      row.crypto !== this.crypto
    ) {
      this.crypto = row.crypto;
      this.windowSec = row.windowSec;
      this.windowEpoch = row.windowEpoch;
      this.last = windowProblem(row.crypto, row.windowSec, row.windowEpoch);
    }
    return this.last;
  }
}
