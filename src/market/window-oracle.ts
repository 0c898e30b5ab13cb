/**
 * Window settlement from the spot/oracle feed (issue #3, design §1): the start price of each
 * window and, at its end, the expected winner — UP iff the end price ≥ the start price, compared
 * exactly on Chainlink's 1e18-scaled integers when present. Pure: fed observations, asked at times.
 *
 * Which observation is "the price at" time T: the one stamped exactly T when the feed has it
 * (Chainlink reports whole seconds), else the latest one before T within `maxAgeMs`. This matches
 * the shared data's check (data/README.md §2: 257 of 257 markets with a tick at the end second).
 */
import type { SpotPrice } from '../core/market-events';

/** A price observation kept by the oracle. */
interface Observation {
  readonly tsMs: number;
  readonly value: number;
  /** 1e18-scaled integer when known. */
  readonly e18: bigint | null;
}

/** The price at a time, or null when the feed has nothing close enough. */
export interface PriceAt {
  readonly tsMs: number;
  readonly value: number;
  readonly valueE18: string | null;
}

/** Keeps a bounded history of one symbol's observations (in time order). */
export class WindowOracle {
  private readonly obs: Observation[] = [];

  /**
   * Creates an oracle keeping `historyMs` of observations (default 6 h: a 4h window plus margin);
   * a price older than `maxAgeMs` (default 10 s) before the asked time does not count.
   */
  constructor(
    private readonly historyMs = 6 * 3_600_000,
    private readonly maxAgeMs = 10_000,
  ) {}

  /** Number of kept observations. */
  get size(): number {
    return this.obs.length;
  }

  /** Time of the newest observation, ms (−Infinity when empty). */
  latestTs(): number {
    return this.obs[this.obs.length - 1]?.tsMs ?? Number.NEGATIVE_INFINITY;
  }

  /** Adds an observation; out-of-order ones are inserted in place, exact duplicates by time replace. */
  add(p: Pick<SpotPrice, 'tsMs' | 'value' | 'valueE18'>): void {
    const o: Observation = {
      tsMs: p.tsMs,
      value: p.value,
      e18: p.valueE18 === null ? null : BigInt(p.valueE18),
    };
    let i = this.obs.length;
    while (i > 0 && this.obs[i - 1]!.tsMs > o.tsMs) i -= 1;
    if (i > 0 && this.obs[i - 1]!.tsMs === o.tsMs) this.obs[i - 1] = o;
    else this.obs.splice(i, 0, o);
    const cutoff = this.obs[this.obs.length - 1]!.tsMs - this.historyMs;
    let drop = 0;
    while (drop < this.obs.length && this.obs[drop]!.tsMs < cutoff) drop += 1;
    if (drop > 0) this.obs.splice(0, drop);
  }

  /** Returns the price at `tsMs` (exact tick, else the latest within `maxAgeMs` before), or null. */
  priceAt(tsMs: number): PriceAt | null {
    let lo = 0;
    let hi = this.obs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.obs[mid]!.tsMs <= tsMs) lo = mid + 1;
      else hi = mid;
    }
    const o = this.obs[lo - 1];
    if (o === undefined || tsMs - o.tsMs > this.maxAgeMs) return null;
    return { tsMs: o.tsMs, value: o.value, valueE18: o.e18 === null ? null : o.e18.toString() };
  }

  /**
   * Expected winner of a window `[startMs, endMs)`: `UP` iff price(end) ≥ price(start) (exact on
   * E18 integers when both have them); null when either price is unknown.
   */
  expectedWinner(
    startMs: number,
    endMs: number,
  ): { winner: 'UP' | 'DOWN'; start: PriceAt; end: PriceAt } | null {
    const start = this.priceAt(startMs);
    const end = this.priceAt(endMs);
    if (start === null || end === null) return null;
    const up =
      start.valueE18 !== null && end.valueE18 !== null
        ? BigInt(end.valueE18) >= BigInt(start.valueE18)
        : end.value >= start.value;
    return { winner: up ? 'UP' : 'DOWN', start, end };
  }
}

/**
 * True when a window of this length resolves on the Chainlink stream the oracle follows: the 5m,
 * 15m and 4h windows. The 1h windows resolve on the Binance BTC_USDT 1h candle
 * (polymarket-protocol.md §2.2), so no Chainlink verdict is given for them.
 */
export function settlesOnChainlink(windowSec: number): boolean {
  return windowSec !== 3600;
}
