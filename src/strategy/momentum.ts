import type { MomentumConfig } from '../config/strategies';
import type { Side, Signal, Tick } from '../core/types';
import { mid } from '../book/order-book';
import { inEntryPeriod, priceAllowed, risingEdge, WindowStates, type Strategy } from './strategy';

/**
 * Momentum on the mid (reference strategy, issue #2): signals a BUY of a token when its mid has
 * risen by at least `minMove` (USDC) over the last `lookbackMs`, inside the entry period and price
 * band. Signals on the rising edge of that condition only, once per episode.
 */
export class MomentumStrategy implements Strategy {
  readonly name: string;
  private readonly states: WindowStates;
  private readonly minMove: number;

  /** Creates the strategy from its config. */
  constructor(private readonly cfg: MomentumConfig) {
    this.name = cfg.name;
    this.minMove = Math.round(cfg.minMove * 1e6);
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
      const ref = s.history.reference();
      const rose = ref !== null && tick.tsMs - ref.tsMs >= this.cfg.lookbackMs && m - ref.mid >= this.minMove;
      if (risingEdge(s, rose && entryPeriod && priceAllowed(tick, side, this.cfg))) {
        (out ??= []).push({
          strategy: this.name,
          side,
          note: `mid ${m / 1e6} rose ${(m - ref!.mid) / 1e6} in ${tick.tsMs - ref!.tsMs} ms`,
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
