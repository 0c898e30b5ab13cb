/**
 * The dashboard's view of a {@link LiveTrader} (issue #13): its open positions, closed trades, the
 * price lines of each position under the strategy's exit-policy set, and the kill switch.
 */
import type { Config } from '../config/schema';
import { positionLines } from '../trader/exits/position-lines';
import { policyResolver } from '../trader/exits/policy-set';
import type { LiveTrader } from '../trader/live-trader';
import { toPositionRecord, type TradeLine } from '../trader/position';
import type { DashboardTrader } from './dashboard-model';

/**
 * Returns the view of `trader`, whose closed trades accumulate in `trades`, with the thresholds and
 * `EXIT_POLICIES` of `cfg`.
 * @throws {RangeError} when `cfg.exitPolicyData` is not a valid policy set (checked at start already).
 */
export function dashboardTraderOf(
  trader: LiveTrader,
  trades: readonly TradeLine[],
  cfg: Config,
): DashboardTrader {
  const setOf = policyResolver(cfg.exitPolicyData);
  return {
    positions: () => trader.openPositions(),
    trades,
    lines: (p) => positionLines(toPositionRecord(p, 0), setOf(p.strategy), cfg),
    get killSwitch() {
      return trader.risk.killSwitch;
    },
    get flatten() {
      return trader.flattenOn;
    },
  };
}
