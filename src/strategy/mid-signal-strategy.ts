import type { StrategyConfig } from '../config/strategies';
import type { Signal, Tick, TopOfBook } from '../core/types';
import { windowEndMs } from '../core/types';
import type { MidHistory } from './mid-history';
import { WindowStates, type SideState, type Strategy, type WindowSideStates } from './strategy';

/**
 * Base of the reference strategies: keeps each token's mid history per window, asks the subclass
 * whether its entry condition holds on the latest mid, and signals a BUY on the rising edge of
 * that condition inside the entry period and price band (`StrategyConfig` common fields).
 */
export abstract class MidSignalStrategy implements Strategy {
  readonly name: string;
  private readonly states: WindowStates;
  /** The price band and spread limit, micro-USDC (precomputed: the checks run on every tick). */
  private readonly minAsk: number;
  private readonly maxAsk: number;
  private readonly maxSpread: number;
  /** The window of the previous tick and its state (ticks of one window come in runs). */
  private lastKey: string | null = null;
  private last: WindowSideStates | null = null;

  /** Creates the strategy; mids are kept for `cfg.lookbackMs`. */
  protected constructor(private readonly common: StrategyConfig) {
    this.name = common.name;
    this.states = new WindowStates(common.lookbackMs);
    this.minAsk = Math.round(common.minPrice * 1e6);
    this.maxAsk = Math.round(common.maxPrice * 1e6);
    this.maxSpread = Math.round(common.maxSpread * 1e6);
  }

  /**
   * Returns a short note when the entry condition holds for the latest mid (micro-USDC) of one
   * token, given its history (the latest mid already pushed), else `null`.
   */
  protected abstract evaluate(midPrice: number, history: MidHistory, tsMs: number): string | null;

  /**
   * See {@link Strategy.onTick}. Same rules as `inEntryPeriod`/`priceAllowed` in `strategy.ts`
   * (entry period, ask band, spread), evaluated with precomputed bounds (issue #10 hot path).
   */
  onTick(tick: Tick): readonly Signal[] {
    // Mids matter only from one look-back before the entry period opens until it closes.
    const c = this.common;
    const start = tick.window.windowEpoch * 1000 + c.startAfterSec * 1000;
    const ts = tick.tsMs;
    if (ts < start - c.lookbackMs) return NONE;
    let w = this.last;
    if (w === null || this.lastKey !== tick.windowKey) {
      w = this.last = this.states.get(tick.windowKey);
      this.lastKey = tick.windowKey;
    }
    const entryPeriod = ts >= start && ts < windowEndMs(tick.window) - c.stopBeforeEndSec * 1000;
    if (!entryPeriod && ts >= start) {
      w.UP.armed = false;
      w.DOWN.armed = false;
      return NONE;
    }
    const up = this.side(tick.up, w.UP, entryPeriod, ts);
    const down = this.side(tick.down, w.DOWN, entryPeriod, ts);
    if (up === null) return down === null ? NONE : [{ strategy: this.name, side: 'DOWN', note: down }];
    const sig: Signal = { strategy: this.name, side: 'UP', note: up };
    return down === null ? [sig] : [sig, { strategy: this.name, side: 'DOWN', note: down }];
  }

  /** See {@link Strategy.dropWindow}. */
  dropWindow(windowKey: string): void {
    this.states.drop(windowKey);
    if (this.lastKey === windowKey) {
      this.lastKey = null;
      this.last = null;
    }
  }

  /** One side of a tick: records its mid; returns the signal note on the condition's rising edge. */
  private side(top: TopOfBook, s: SideState, entryPeriod: boolean, ts: number): string | null {
    const bid = top.bid;
    const ask = top.ask;
    if (bid === null || ask === null) return null;
    const m = (bid + ask) / 2;
    s.history.push(ts, m);
    const allowed = entryPeriod && ask >= this.minAsk && ask <= this.maxAsk && ask - bid <= this.maxSpread;
    const note = allowed ? this.evaluate(m, s.history, ts) : null;
    const fire = note !== null && !s.armed;
    s.armed = note !== null;
    return fire ? note : null;
  }
}

const NONE: readonly Signal[] = [];
