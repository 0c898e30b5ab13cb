import type { StrategyConfig } from '../config/strategies';
import type { Side, Signal, Tick } from '../core/types';
import { mid as midOf } from '../book/order-book';
import type { MidHistory } from './mid-history';
import * as helpers from './strategy';
import { WindowStates, type Strategy } from './strategy';

// Hot path (every tick, every side): bind the imported helpers once. Under tsx the CommonJS
// interop reads named imports through getters on each call, which showed in profiles.
const mid = midOf;
const { inEntryPeriod, priceAllowed, risingEdge } = helpers;

/**
 * Base of the reference strategies: keeps each token's mid history per window, asks the subclass
 * whether its entry condition holds on the latest mid, and signals a BUY on the rising edge of
 * that condition inside the entry period and price band (`StrategyConfig` common fields).
 */
export abstract class MidSignalStrategy implements Strategy {
  readonly name: string;
  private readonly states: WindowStates;

  /** Creates the strategy; mids are kept for `cfg.lookbackMs`. */
  protected constructor(private readonly common: StrategyConfig) {
    this.name = common.name;
    this.states = new WindowStates(common.lookbackMs);
  }

  /**
   * Returns a short note when the entry condition holds for the latest mid (micro-USDC) of one
   * token, given its history (the latest mid already pushed), else `null`.
   */
  protected abstract evaluate(midPrice: number, history: MidHistory, tsMs: number): string | null;

  /** See {@link Strategy.onTick}. */
  onTick(tick: Tick): readonly Signal[] {
    // Mids matter only from one look-back before the entry period opens until it closes.
    const start = tick.window.windowEpoch * 1000 + this.common.startAfterSec * 1000;
    if (tick.tsMs < start - this.common.lookbackMs) return NONE;
    const w = this.states.get(tick.windowKey);
    const entryPeriod = inEntryPeriod(tick, this.common);
    if (!entryPeriod && tick.tsMs >= start) {
      w.UP.armed = false;
      w.DOWN.armed = false;
      return NONE;
    }
    let out: Signal[] | undefined;
    for (const side of SIDES) {
      const m = mid(side === 'UP' ? tick.up : tick.down);
      if (m === null) continue;
      const s = w[side];
      s.history.push(tick.tsMs, m);
      const note =
        entryPeriod && priceAllowed(tick, side, this.common) ? this.evaluate(m, s.history, tick.tsMs) : null;
      if (risingEdge(s, note !== null)) {
        (out ??= []).push({ strategy: this.name, side, note: note ?? '' });
      }
    }
    return out ?? NONE;
  }

  /** See {@link Strategy.dropWindow}. */
  dropWindow(windowKey: string): void {
    this.states.drop(windowKey);
  }
}

const SIDES: readonly Side[] = ['UP', 'DOWN'];
const NONE: readonly Signal[] = [];
