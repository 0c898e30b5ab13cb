/**
 * Applies the default exit rules (design §5, in order) to one OPEN position on one tick: updates
 * the HWM and trailing state, journals each change with its inputs, and starts an exit round when
 * a rule fires (or when the sell-before-end time has come). Prices in micro-USDC, times in ms.
 */
import type { OrderCommand, TopOfBook } from '../core/types';
import { evaluateDefaultExits } from './exits/default-policy';
import type { ExitThresholds } from './exits/thresholds';
import { sellBeforeEndDue } from './exits/window-expiry';
import type { OrderDesk } from './order-desk';
import { trailingActive, type Position } from './position';
import type { Journal } from './trader-sink';

/** What the rules need besides the position and the tick. */
export interface ExitRuleContext {
  readonly cfg: ExitThresholds & { readonly EXIT_BEFORE_END_MS: number };
  readonly journal: Journal;
  readonly desk: OrderDesk;
}

/**
 * Runs the rules for `p` (state OPEN, entry filled, not held to resolution) at `bid`, the best bid
 * of its token in `top`. Pushes any exit command to `out`.
 */
export function runExitRules(
  p: Position,
  bid: number,
  top: TopOfBook,
  nowMs: number,
  ctx: ExitRuleContext,
  out: OrderCommand[],
): void {
  const entry = p.entryPrice;
  const hwm = p.highWaterMark;
  if (entry === null || hwm === null) return;
  const d = evaluateDefaultExits(
    { entryPrice: entry, highWaterMark: hwm, trailingActive: trailingActive(p) },
    bid,
    ctx.cfg,
  );
  if (d.newHighWaterMark !== null) {
    p.highWaterMark = d.newHighWaterMark;
    ctx.journal.event(p, 'HWM_UPDATE', null, nowMs, { bid, highWaterMark: p.highWaterMark });
  }
  if (d.activatedNow) {
    p.trailingActivatedAtMs = nowMs;
    ctx.journal.event(p, 'TRAILING_ACTIVATED', null, nowMs, { bid, entryPrice: entry, stop: d.stopPrice });
  }
  if (d.fire !== null) {
    ctx.desk.fireExit(p, d.fire, top, nowMs, out, { stopPrice: d.stopPrice, highWaterMark: p.highWaterMark });
  } else if (sellBeforeEndDue(p.window, nowMs, ctx.cfg.EXIT_BEFORE_END_MS)) {
    ctx.desk.fireExit(p, 'window_expiry', top, nowMs, out, { exitBeforeEndMs: ctx.cfg.EXIT_BEFORE_END_MS });
  }
}
