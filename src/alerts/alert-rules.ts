/**
 * Alert conditions (issue #13, the plan's alerts), pure: a function of what the trader, the feed
 * and the live session report now, the time, and the previous state. Each alert fires when its
 * condition starts to hold and clears when it stops (de-duplicated while it holds).
 *
 * - `failed_exits`: ≥ ALERT_FAILED_EXITS exit rounds failed within the last hour;
 * - `reconcile_discrepancy`: reconciliation adopted a discrepancy from the chain (any, since the last check);
 * - `stop_loss_rate`: more than ALERT_STOP_LOSS_RATE of the last ALERT_STOP_LOSS_WINDOW exits were stop losses;
 * - `no_take_profit`: trading for 24 h (an entry filled in that time) without a profit-taking exit;
 * - `feed_stale`: a token's book stale for longer than ALERT_FEED_STALE_MS;
 * - `parity_fail`: the paper-parity verdict is `fail`.
 * Times ms (the venue's clock).
 */
import type { TradeLine } from '../trader/position';
import { PROFIT_TAKING_REASONS } from '../core/types';

/** Alert names (a closed set, the `alert` field of the log line and the metric's label). */
export const ALERT_NAMES = [
  'failed_exits',
  'reconcile_discrepancy',
  'stop_loss_rate',
  'no_take_profit',
  'feed_stale',
  'parity_fail',
] as const;
/** An alert name. */
export type AlertName = (typeof ALERT_NAMES)[number];

/** Thresholds (settings of the same names). */
export interface AlertConfig {
  readonly ALERT_FAILED_EXITS: number;
  readonly ALERT_STOP_LOSS_RATE: number;
  readonly ALERT_STOP_LOSS_WINDOW: number;
  readonly ALERT_FEED_STALE_MS: number;
}

/** What the rules read at a check. */
export interface AlertInputs {
  readonly nowMs: number;
  /** Exit rounds failed so far (a running total). */
  readonly failedExitRounds: number;
  /** Discrepancies adopted so far (a running total; live only). */
  readonly discrepancies: number | null;
  /** Closed trades so far (the array only grows). */
  readonly trades: readonly TradeLine[];
  /** Entry fill times of positions not closed, ms. */
  readonly openEntryTimes: readonly number[];
  /** Tokens whose book is stale now (null: no feed). */
  readonly staleTokens: number | null;
  /** The parity verdict, when a twin runs. */
  readonly parityVerdict: 'pass' | 'fail' | null;
}

/** State carried between checks. */
export interface AlertState {
  /** Alerts whose condition held at the last check. */
  readonly active: ReadonlySet<AlertName>;
  /** Times of the failed exit rounds seen (one per round, trimmed to the last hour). */
  readonly failedAt: readonly number[];
  readonly lastFailed: number;
  readonly lastDiscrepancies: number;
  /** Since when a book has been stale without a break, or null. */
  readonly staleSince: number | null;
  /** First check, ms (the 24 h of `no_take_profit` count from it at the earliest). */
  readonly startedMs: number | null;
}

/** An alert that fired or cleared, with the inputs that decided it. */
export interface AlertChange {
  readonly alert: AlertName;
  readonly kind: 'fired' | 'cleared';
  readonly level: 'warn' | 'error';
  readonly data: Readonly<Record<string, unknown>>;
}

/** The state before the first check. */
export const INITIAL_ALERT_STATE: AlertState = {
  active: new Set(),
  failedAt: [],
  lastFailed: 0,
  lastDiscrepancies: 0,
  staleSince: null,
  startedMs: null,
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEVEL: Record<AlertName, 'warn' | 'error'> = {
  failed_exits: 'error',
  reconcile_discrepancy: 'error',
  stop_loss_rate: 'warn',
  no_take_profit: 'warn',
  feed_stale: 'warn',
  parity_fail: 'error',
};

/** Evaluates every rule at `i.nowMs`; returns the next state and the alerts that fired or cleared. */
export function evaluateAlerts(
  cfg: AlertConfig,
  s: AlertState,
  i: AlertInputs,
): { state: AlertState; changes: AlertChange[] } {
  const now = i.nowMs;
  const startedMs = s.startedMs ?? now;
  const newFails = Math.max(0, i.failedExitRounds - s.lastFailed);
  const failedAt = [...s.failedAt, ...Array<number>(newFails).fill(now)].filter((t) => now - t < HOUR);
  const newDisc = i.discrepancies === null ? 0 : Math.max(0, i.discrepancies - s.lastDiscrepancies);
  const staleSince = i.staleTokens !== null && i.staleTokens > 0 ? (s.staleSince ?? now) : null;
  const recent = i.trades.slice(-cfg.ALERT_STOP_LOSS_WINDOW);
  const stops = recent.filter((t) => t.exitReason === 'stop_loss').length;
  let lastEntry = -Infinity;
  for (const t of i.openEntryTimes) lastEntry = Math.max(lastEntry, t);
  let lastTakeProfit = -Infinity;
  for (const t of i.trades) {
    lastEntry = Math.max(lastEntry, t.entryTimeMs);
    if (t.exitReason !== null && PROFIT_TAKING_REASONS.has(t.exitReason))
      lastTakeProfit = Math.max(lastTakeProfit, t.exitTimeMs ?? 0);
  }
  const holds: Record<AlertName, Record<string, unknown> | null> = {
    failed_exits:
      failedAt.length >= cfg.ALERT_FAILED_EXITS
        ? { failedExitRounds: failedAt.length, withinMs: HOUR, threshold: cfg.ALERT_FAILED_EXITS }
        : null,
    reconcile_discrepancy: newDisc > 0 ? { newDiscrepancies: newDisc, total: i.discrepancies } : null,
    stop_loss_rate:
      recent.length >= cfg.ALERT_STOP_LOSS_WINDOW && stops / recent.length > cfg.ALERT_STOP_LOSS_RATE
        ? {
            stopLosses: stops,
            exits: recent.length,
            rate: stops / recent.length,
            threshold: cfg.ALERT_STOP_LOSS_RATE,
          }
        : null,
    no_take_profit:
      now - startedMs >= DAY && now - lastEntry < DAY && now - lastTakeProfit >= DAY
        ? {
            lastTakeProfitMs: Number.isFinite(lastTakeProfit) ? lastTakeProfit : null,
            lastEntryMs: lastEntry,
          }
        : null,
    feed_stale:
      staleSince !== null && now - staleSince > cfg.ALERT_FEED_STALE_MS
        ? { staleTokens: i.staleTokens, staleForMs: now - staleSince, threshold: cfg.ALERT_FEED_STALE_MS }
        : null,
    parity_fail: i.parityVerdict === 'fail' ? { verdict: 'fail' } : null,
  };
  const active = new Set<AlertName>();
  const changes: AlertChange[] = [];
  for (const a of ALERT_NAMES) {
    const data = holds[a];
    if (data !== null) active.add(a);
    if (data !== null && !s.active.has(a)) changes.push({ alert: a, kind: 'fired', level: LEVEL[a], data });
    if (data === null && s.active.has(a))
      changes.push({ alert: a, kind: 'cleared', level: 'warn', data: {} });
  }
  return {
    state: {
      active,
      failedAt,
      lastFailed: i.failedExitRounds,
      lastDiscrepancies: i.discrepancies ?? s.lastDiscrepancies,
      staleSince,
      startedMs,
    },
    changes,
  };
}
