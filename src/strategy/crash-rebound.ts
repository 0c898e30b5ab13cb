import type { CrashReboundConfig } from '../config/strategies';
import type { Side, Signal, Tick } from '../core/types';
import { mid } from '../book/order-book';
import { inEntryPeriod, priceAllowed, risingEdge, WindowStates, type Strategy } from './strategy';

/**
 * Crash-rebound (reference strategy, issue #2): signals a BUY of a token whose mid fell by at
 * least `minDrop` (USDC) from its high of the last `lookbackMs` and has since rebounded by at
 * least `minRebound` from the low after that high, inside the entry period and price band.
 * Signals on the rising edge of that condition only.
 */
export class CrashReboundStrategy implements Strategy {
  readonly name: string;
  private readonly states: WindowStates;
  private readonly minDrop: number;
  private readonly minRebound: number;

  /** Creates the strategy from its config. */
  constructor(private readonly cfg: CrashReboundConfig) {
    this.name = cfg.name;
    this.minDrop = Math.round(cfg.minDrop * 1e6);
    this.minRebound = Math.round(cfg.minRebound * 1e6);
    this.states = new WindowStates(cfg.lookbackMs);
  }

  /** See {@link Strategy.onTick}. */
  onTick(tick: Tick): readonly Signal[] {
    const w = this.states.get(tick.windowKey);
    const entryPeriod = inEntryPeriod(tick, this.cfg);
    let out: Signal[] | undefined;
    for (const side of SIDES) {
      const m = mid(side === 'UP' ? tick.up : tick.down);
      if (m === null) continue;
      const s = w[side];
      s.history.push(tick.tsMs, m);
      const high = s.history.max();
      const low = s.history.minAfterMax();
      const ok =
        high !== null &&
        low !== null &&
        high - low >= this.minDrop &&
        m - low >= this.minRebound &&
        entryPeriod &&
        priceAllowed(tick, side, this.cfg);
      if (risingEdge(s, ok)) {
        (out ??= []).push({
          strategy: this.name,
          side,
          note: `mid fell ${(high! - low!) / 1e6} from ${high! / 1e6}, rebounded ${(m - low!) / 1e6}`,
        });
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
