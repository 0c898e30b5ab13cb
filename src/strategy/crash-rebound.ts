import type { CrashReboundConfig } from '../config/strategies';
import type { MidHistory } from './mid-history';
import { MidSignalStrategy } from './mid-signal-strategy';

/**
 * Crash-rebound (reference strategy, issue #2): signals a BUY of a token whose mid fell by at
 * least `minDrop` (USDC) from its high of the last `lookbackMs` and has since rebounded by at
 * least `minRebound` from the low after that high, inside the entry period and price band.
 * Signals on the rising edge of that condition only.
 */
export class CrashReboundStrategy extends MidSignalStrategy {
  private readonly minDrop: number;
  private readonly minRebound: number;

  /** Creates the strategy from its config. */
  constructor(cfg: CrashReboundConfig) {
    super(cfg);
    this.minDrop = Math.round(cfg.minDrop * 1e6);
    this.minRebound = Math.round(cfg.minRebound * 1e6);
  }

  /** Holds when high − low ≥ `minDrop` and mid − low ≥ `minRebound` (low: after the high). */
  protected evaluate(m: number, history: MidHistory): string | null {
    const high = history.max();
    const low = history.minAfterMax();
    if (high === null || low === null || high - low < this.minDrop || m - low < this.minRebound) return null;
    return `mid fell ${(high - low) / 1e6} from ${high / 1e6}, rebounded ${(m - low) / 1e6}`;
  }
}
