import type { MomentumConfig } from '../config/strategies';
import { windowKey } from '../core/ids';
import type { Side, Signal, Tick } from '../core/types';
import { mid } from '../book/order-book';
import { EdgeTrigger, inEntryPeriod, priceAllowed, type Strategy } from './strategy';
import { MidHistory } from './mid-history';

/**
 * Momentum on the mid (reference strategy, issue #2): signals a BUY of a token when its mid has
 * risen by at least `minMove` (USDC) over the last `lookbackMs`, inside the entry period and price
 * band. Signals on the rising edge of that condition only, once per episode.
 */
export class MomentumStrategy implements Strategy {
  readonly name: string;
  private readonly histories = new Map<string, MidHistory>();
  private readonly edge = new EdgeTrigger();
  private readonly minMove: number;

  /** Creates the strategy from its config. */
  constructor(private readonly cfg: MomentumConfig) {
    this.name = cfg.name;
    this.minMove = Math.round(cfg.minMove * 1e6);
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
      const ref = h.reference();
      const rose =
        ref !== null && tick.tsMs - ref.tsMs >= this.cfg.lookbackMs && m - ref.mid >= this.minMove;
      const ok = rose && inEntryPeriod(tick, this.cfg) && priceAllowed(tick, side, this.cfg);
      if (this.edge.fire(key, ok)) {
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
  dropWindow(wk: string): void {
    this.histories.delete(`${wk}|UP`);
    this.histories.delete(`${wk}|DOWN`);
    this.edge.drop(`${wk}|`);
  }
}

const SIDES: readonly Side[] = ['UP', 'DOWN'];
const NONE: readonly Signal[] = [];
