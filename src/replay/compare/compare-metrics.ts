/**
 * The exit-policy comparison's figures (issue #12), pure: per policy set, from its trades and
 * position traces — trades, win rate, net P&L, average share of the peak captured, premature
 * stop-outs, profit-lock violations, results by volatility regime and by exit reason.
 *
 * Definitions (documented in the README "Comparing exit policies"):
 * - a *position* is one position key (its partial exits and final exit together); P&L is the sum of
 *   its lines; it wins when that sum is > 0;
 * - *peak captured* = (average exit price − entry) / (peak bid − entry) over positions whose peak
 *   bid (the highest bid after the entry tick until the exit, or the HWM) is above entry;
 * - a *premature stop-out*: the final exit was a stop or trail (not a target, the window's end, a
 *   reversal or a manual sale), and before the window ended the held token's bid rose above both
 *   the entry and the exit price (holding would have sold higher);
 * - a *profit-lock violation* (sets with `profit_lock`): the peak reached entry + LOCK_TRIGGER_USDC
 *   and the position still sold below entry on average (exit-policies.md §4.2: only a gap can);
 * - *volatility regime* at entry from the held token's `atr` (§1.5) with the bounds of §4.2
 *   (0.035 / 0.065 / 0.095): low, normal, high, extreme, or `unknown` before the estimator is warm.
 */
import type { TradeLine } from '../../trader/position';
import type { PositionTrace } from './compare-job';

/** Exit reasons that are stops or trails (a premature stop-out can only follow one of these). */
const STOP_REASONS: ReadonlySet<string> = new Set([
  'stop_loss',
  'trailing_stop',
  'trail_exit',
  'volatility_trail',
  'step_lock',
  'target_trail',
  'expiry_trail',
  'profit_lock',
  'time_exit',
]);

/** Regime bounds on `atr`, micro-USDC (exit-policies.md §4.2). */
export const REGIME_BOUNDS = [35_000, 65_000, 95_000] as const;

/** Volatility regime of an `atr` value (micro-USDC), `unknown` for null. */
export function regimeOf(atr: number | null): string {
  if (atr === null) return 'unknown';
  if (atr < REGIME_BOUNDS[0]) return 'low';
  if (atr < REGIME_BOUNDS[1]) return 'normal';
  if (atr < REGIME_BOUNDS[2]) return 'high';
  return 'extreme';
}

/** One position's outcome under one set (prices USDC per share, P&L USDC, times ms). */
export interface PositionOutcome {
  readonly key: string;
  readonly windowKey: string;
  readonly strategy: string;
  readonly side: string;
  readonly entryPrice: number;
  readonly entryTimeMs: number;
  /** Highest bid between entry and the final exit (or the HWM when higher). */
  readonly peak: number;
  readonly avgExit: number;
  readonly exitTimeMs: number | null;
  /** The final exit's reason. */
  readonly reason: string;
  /** Reasons of its partial exits, in order. */
  readonly partials: readonly string[];
  readonly pnlUsdc: number;
  readonly captured: number | null;
  readonly premature: boolean;
  readonly lockViolation: boolean;
  readonly regime: string;
}

/** Figures of one policy set (the JSON line of `replay --compare`, plus the breakdowns). */
export interface SetMetrics {
  readonly policy: string;
  readonly trades: number;
  readonly winRate: number;
  readonly netPnlUsdc: number;
  readonly peakCaptured: number | null;
  readonly prematureStopOuts: number;
  readonly profitLockViolations: number;
  /** Partial exits filled. */
  readonly partialExits: number;
  readonly byRegime: Record<string, { trades: number; winRate: number; netPnlUsdc: number }>;
  readonly byReason: Record<string, { count: number; netPnlUsdc: number }>;
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The outcome of every position of a set, in first-line order; `lockTriggerUsdc` is the set's
 * profit-lock trigger (USDC per share) or null when it has no `profit_lock`.
 */
export function positionOutcomes(
  trades: readonly TradeLine[],
  traces: readonly PositionTrace[],
  lockTriggerUsdc: number | null,
): PositionOutcome[] {
  const byKey = new Map<string, TradeLine[]>();
  for (const l of trades) {
    const xs = byKey.get(l.positionKey);
    if (xs === undefined) byKey.set(l.positionKey, [l]);
    else xs.push(l);
  }
  const traceOf = new Map(traces.map((t) => [t.key, t]));
  const out: PositionOutcome[] = [];
  for (const [key, lines] of byKey) {
    const last = lines[lines.length - 1]!;
    const tr = traceOf.get(key);
    let shares = 0;
    let proceeds = 0;
    let pnl = 0;
    for (const l of lines) {
      shares += l.shares;
      proceeds += l.proceedsUsdc ?? 0;
      pnl += l.pnlUsdc ?? 0;
    }
    const avgExit = shares > 0 ? proceeds / shares : 0;
    const exitMs = last.exitTimeMs;
    let peak = last.highWaterMark ?? last.entryPrice;
    let after = -1;
    if (tr !== undefined) {
      for (let i = 0; i < tr.t.length; i++) {
        const ms = tr.t[i]! * 1000;
        const b = tr.bid[i]! / 1e6;
        if (tr.bid[i]! < 0) continue;
        // the trader's rules see the bids after the entry tick (the HWM); the path's second of
        // the entry may start before it
        if (ms <= last.entryTimeMs) continue;
        if (exitMs === null || ms <= exitMs) peak = Math.max(peak, b);
        else if (ms < tr.windowEndMs) after = Math.max(after, b);
      }
    }
    const reason = last.exitReason ?? 'manual';
    out.push({
      key,
      windowKey: `${last.crypto}:${last.windowSec}:${last.windowEpoch}`,
      strategy: last.strategy,
      side: last.side,
      entryPrice: last.entryPrice,
      entryTimeMs: last.entryTimeMs,
      peak,
      avgExit: r6(avgExit),
      exitTimeMs: exitMs,
      reason,
      partials: lines.slice(0, -1).map((l) => l.exitReason ?? 'manual'),
      pnlUsdc: r6(pnl),
      captured: peak > last.entryPrice ? r6((avgExit - last.entryPrice) / (peak - last.entryPrice)) : null,
      premature: STOP_REASONS.has(reason) && after > Math.max(last.entryPrice, avgExit),
      lockViolation:
        lockTriggerUsdc !== null && peak >= last.entryPrice + lockTriggerUsdc && avgExit < last.entryPrice,
      regime: regimeOf(tr?.atrAtEntry ?? null),
    });
  }
  return out;
}

/** Sums a set's position outcomes into its figures. */
export function setMetrics(policy: string, outcomes: readonly PositionOutcome[]): SetMetrics {
  let wins = 0;
  let net = 0;
  let capSum = 0;
  let capN = 0;
  let premature = 0;
  let violations = 0;
  let partials = 0;
  const byRegime: Record<string, { trades: number; wins: number; net: number }> = {};
  const byReason: Record<string, { count: number; netPnlUsdc: number }> = {};
  for (const o of outcomes) {
    if (o.pnlUsdc > 0) wins += 1;
    net += o.pnlUsdc;
    if (o.captured !== null) {
      capSum += o.captured;
      capN += 1;
    }
    if (o.premature) premature += 1;
    if (o.lockViolation) violations += 1;
    partials += o.partials.length;
    const g = (byRegime[o.regime] ??= { trades: 0, wins: 0, net: 0 });
    g.trades += 1;
    g.wins += o.pnlUsdc > 0 ? 1 : 0;
    g.net += o.pnlUsdc;
    const rr = (byReason[o.reason] ??= { count: 0, netPnlUsdc: 0 });
    rr.count += 1;
    rr.netPnlUsdc = r6(rr.netPnlUsdc + o.pnlUsdc);
  }
  const regimes: SetMetrics['byRegime'] = {};
  for (const [k, g] of Object.entries(byRegime))
    regimes[k] = { trades: g.trades, winRate: r6(g.wins / g.trades), netPnlUsdc: r6(g.net) };
  return {
    policy,
    trades: outcomes.length,
    winRate: outcomes.length === 0 ? 0 : r6(wins / outcomes.length),
    netPnlUsdc: r6(net),
    peakCaptured: capN === 0 ? null : r6(capSum / capN),
    prematureStopOuts: premature,
    profitLockViolations: violations,
    partialExits: partials,
    byRegime: regimes,
    byReason,
  };
}

/** The JSON line of a set (issue #12's smoke command format). */
export function metricsLine(m: SetMetrics): string {
  return JSON.stringify({
    policy: m.policy,
    trades: m.trades,
    winRate: m.winRate,
    netPnlUsdc: m.netPnlUsdc,
    peakCaptured: m.peakCaptured,
    prematureStopOuts: m.prematureStopOuts,
    profitLockViolations: m.profitLockViolations,
  });
}
