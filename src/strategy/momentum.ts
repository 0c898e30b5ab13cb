import type { MomentumConfig } from '../config/strategies';
import type { MidHistory } from './mid-history';
import { MidSignalStrategy } from './mid-signal-strategy';

/**
 * Momentum on the mid (reference strategy, issue #2): signals a BUY of a token when its mid has
 * risen by at least `minMove` (USDC) over the last `lookbackMs`, inside the entry period and price
 * band. Signals on the rising edge of that condition only, once per episode.
 */
export class MomentumStrategy extends MidSignalStrategy {
  private readonly minMove: number;

  /** Creates the strategy from its config. */
  constructor(private readonly cfg: MomentumConfig) {
    super(cfg);
    this.minMove = Math.round(cfg.minMove * 1e6);
  }

  /** Holds when the mid rose by `minMove` or more since the sample `lookbackMs` ago. */
  protected evaluate(m: number, history: MidHistory, tsMs: number): string | null {
    const ref = history.reference();
    if (ref === null || tsMs - ref.tsMs < this.cfg.lookbackMs || m - ref.mid < this.minMove) return null;
    return `mid ${m / 1e6} rose ${(m - ref.mid) / 1e6} in ${tsMs - ref.tsMs} ms`;
  }
}
