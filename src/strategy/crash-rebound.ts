import type { CrashReboundConfig } from '../config/strategies';
import { windowKey } from '../core/ids';
import type { Side, Signal, Tick } from '../core/types';
import { mid } from '../book/order-book';
import { EdgeTrigger, inEntryPeriod, priceAllowed, type Strategy } from './strategy';
import { MidHistory } from './mid-history';

/**
 * Crash-rebound (reference strategy, issue #2): signals a BUY of a token whose mid fell by at
 * least `minDrop` (USDC) from its high of the last `lookbackMs` and has since rebounded by at
 * least `minRebound` from the low after that high, inside the entry period and price band.
 * Signals on the rising edge of that condition only.
 */
export class CrashReboundStrategy implements Strategy {
  readonly name: string;
  private readonly histories = new Map<string, MidHistory>();
  private readonly edge = new EdgeTrigger();
  private readonly minDrop: number;
  private readonly minRebound: number;

  /** Creates the strategy from its config. */
  constructor(private readonly cfg: CrashReboundConfig) {
    this.name = cfg.name;
    this.minDrop = Math.round(cfg.minDrop * 1e6);
    this.minRebound = Math.round(cfg.minRebound * 1e6);
  }

  /** See {@link Strategy.onTick}. */
  onTick(tick: Tick): readonly Signal[] {
    const wk = windowKey(tick.window);
    let out: Signal[] | undefined;
    for (const side of SIDES) {
      const top = side === 'UP' ? tick.up : tick.down;
      const m = mid(top);
      if (m === null) continue;
      const key = `${wk}|${side}`;
      let h = this.histories.get(key);
      if (h === undefined) {
        h = new MidHistory(this.cfg.lookbackMs);
        this.histories.set(key, h);
      }
      h.push(tick.tsMs, m);
      const high = h.max();
      const highTs = h.maxTs();
      const low = highTs === null ? null : h.minSince(highTs);
      const ok =
        high !== null &&
        low !== null &&
        high - low >= this.minDrop &&
        m - low >= this.minRebound &&
        inEntryPeriod(tick, this.cfg) &&
        priceAllowed(tick, side, this.cfg);
      if (this.edge.fire(key, ok)) {
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
  dropWindow(wk: string): void {
    this.histories.delete(`${wk}|UP`);
    this.histories.delete(`${wk}|DOWN`);
    this.edge.drop(`${wk}|`);
  }
}

const SIDES: readonly Side[] = ['UP', 'DOWN'];
const NONE: readonly Signal[] = [];
