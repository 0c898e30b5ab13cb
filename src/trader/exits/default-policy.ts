import type { ExitReason } from '../../core/types';
import { stopLossFires } from './stop-loss';
import type { ExitThresholds } from './thresholds';
import { nextHighWaterMark, trailingActivates, trailingStopPrice } from './trailing';

/** The part of a position the default exit rules read (prices in micro-USDC). */
export interface ExitState {
  readonly entryPrice: number;
  readonly highWaterMark: number;
  readonly trailingActive: boolean;
}

/** What the default rules decided on one tick. */
export interface ExitDecision {
  /** The reason to exit, or `null`. */
  readonly fire: ExitReason | null;
  /** The new HWM when it moved, else `null`. */
  readonly newHighWaterMark: number | null;
  /** True when trailing activated on this tick. */
  readonly activatedNow: boolean;
  /** The trailing stop price in force after this tick (when active), else `null`. */
  readonly stopPrice: number | null;
}

/**
 * Runs the default exit rules on one bid, in the order of design §5: stop loss, HWM update,
 * trailing activation, trailing stop. Pure; the caller applies the decision.
 */
export function evaluateDefaultExits(s: ExitState, bid: number, t: ExitThresholds): ExitDecision {
  if (stopLossFires(s.entryPrice, bid, t.STOP_LOSS_PCT)) {
    return { fire: 'stop_loss', newHighWaterMark: null, activatedNow: false, stopPrice: null };
  }
  const newHwm = nextHighWaterMark(s.highWaterMark, bid, t.UPDATE_HWM_THRESHOLD);
  const hwm = newHwm ?? s.highWaterMark;
  const activatedNow = !s.trailingActive && trailingActivates(s.entryPrice, bid, t.TRAILING_ACTIVATION_PCT);
  if (!s.trailingActive && !activatedNow) {
    return { fire: null, newHighWaterMark: newHwm, activatedNow: false, stopPrice: null };
  }
  const stop = trailingStopPrice(s.entryPrice, hwm, t.TRAILING_STOP_PCT, t.MIN_PROFIT_FLOOR_PCT);
  return {
    fire: bid <= stop ? 'trailing_stop' : null,
    newHighWaterMark: newHwm,
    activatedNow,
    stopPrice: stop,
  };
}
