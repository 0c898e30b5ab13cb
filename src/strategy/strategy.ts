/**
 * The strategy port: a strategy turns ticks into entry signals. Strategies are deterministic
 * functions of the ticks they have seen (no clock, no randomness, no I/O).
 */
import type { Side, Signal, Tick } from '../core/types';
import type { StrategyConfig } from '../config/strategies';
import { windowEndMs } from '../core/types';

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
export function inEntryPeriod(tick: Tick, cfg: Pick<StrategyConfig, 'startAfterSec' | 'stopBeforeEndSec'>): boolean {
  const start = tick.window.windowEpoch * 1000;
  return tick.tsMs >= start + cfg.startAfterSec * 1000 && tick.tsMs < windowEndMs(tick.window) - cfg.stopBeforeEndSec * 1000;
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

/**
 * Rising-edge detector: returns true the first time `condition` holds for a key, then false until
 * the condition has been false again. Keeps one boolean per key.
 */
export class EdgeTrigger {
  private readonly armed = new Map<string, boolean>();

  /** Returns true on a false → true transition of `condition` for `key` (the first true counts). */
  fire(key: string, condition: boolean): boolean {
    const was = this.armed.get(key) ?? false;
    if (condition !== was) this.armed.set(key, condition);
    return condition && !was;
  }

  /** Forgets every key that starts with `prefix`. */
  drop(prefix: string): void {
    for (const k of this.armed.keys()) if (k.startsWith(prefix)) this.armed.delete(k);
  }
}
