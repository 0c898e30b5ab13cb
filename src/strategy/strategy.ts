/**
 * The strategy port: a strategy turns ticks into entry signals. Strategies are deterministic
 * functions of the ticks they have seen (no clock, no randomness, no I/O).
 */
import type { Side, Signal, Tick } from '../core/types';
import type { StrategyConfig } from '../config/strategies';
import { windowEndMs } from '../core/types';
import { MidHistory } from './mid-history';

/** A strategy instance. */
export interface Strategy {
  /** Instance name (part of position keys). */
  readonly name: string;
  /** Consumes a tick and returns zero or more entry signals for the tick's window. */
  onTick(tick: Tick): readonly Signal[];
  /** Forgets the state of a window after it ended (flat memory over long replays). */
  dropWindow(windowKey: string): void;
}

/**
 * True when the tick is inside the entry period of `cfg`: at least `startAfterSec` after the window
 * start and more than `stopBeforeEndSec` before its end.
 */
export function inEntryPeriod(
  tick: Tick,
  cfg: Pick<StrategyConfig, 'startAfterSec' | 'stopBeforeEndSec'>,
): boolean {
  const start = tick.window.windowEpoch * 1000;
  return (
    tick.tsMs >= start + cfg.startAfterSec * 1000 &&
    tick.tsMs < windowEndMs(tick.window) - cfg.stopBeforeEndSec * 1000
  );
}

/**
 * True when the side's ask is inside `[minPrice, maxPrice]` and its spread is at most `maxSpread`
 * (all compared in micro-USDC).
 */
export function priceAllowed(
  tick: Tick,
  side: Side,
  cfg: Pick<StrategyConfig, 'minPrice' | 'maxPrice' | 'maxSpread'>,
): boolean {
  const top = side === 'UP' ? tick.up : tick.down;
  if (top.bid === null || top.ask === null) return false;
  return (
    top.ask >= Math.round(cfg.minPrice * 1e6) &&
    top.ask <= Math.round(cfg.maxPrice * 1e6) &&
    top.ask - top.bid <= Math.round(cfg.maxSpread * 1e6)
  );
}

/** Per-side state a mid-based strategy keeps for one window. */
export interface SideState {
  readonly history: MidHistory;
  /** Whether the entry condition held on the previous tick (signals fire on the rising edge). */
  armed: boolean;
}

/** Both sides' state of one window. */
export interface WindowSideStates {
  readonly UP: SideState;
  readonly DOWN: SideState;
}

/**
 * Per-window strategy state keyed by `Tick.windowKey`: one map lookup per tick, forgotten with
 * `drop` when the window ends (flat memory over long replays).
 */
export class WindowStates {
  private readonly states = new Map<string, WindowSideStates>();

  /** Creates the store; each side keeps mids for `horizonMs`. */
  constructor(private readonly horizonMs: number) {}

  /** Returns the state of a window, creating it on first use. */
  get(windowKey: string): WindowSideStates {
    let s = this.states.get(windowKey);
    if (s === undefined) {
      s = {
        UP: { history: new MidHistory(this.horizonMs), armed: false },
        DOWN: { history: new MidHistory(this.horizonMs), armed: false },
      };
      this.states.set(windowKey, s);
    }
    return s;
  }

  /** Forgets a window. */
  drop(windowKey: string): void {
    this.states.delete(windowKey);
  }
}

/**
 * Rising edge of an entry condition: returns true when `condition` holds now and did not on the
 * previous tick of that side, and records the new value.
 */
export function risingEdge(state: SideState, condition: boolean): boolean {
  const fire = condition && !state.armed;
  state.armed = condition;
  return fire;
}
