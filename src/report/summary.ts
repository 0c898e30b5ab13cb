/**
 * The run summary a user reads after a replay (design §11, issue #2): positions by exit reason,
 * win rate, net P&L (USDC, net of fees), average share of the peak captured by trailing exits,
 * blocked reversals, killed/failed exits.
 */
import Table from 'cli-table3';
import { EXIT_REASONS } from '../core/types';
import { DROP_LABELS, DROP_REASONS, type InputTotals } from '../feed/input-stats';
import type { TradeLine } from '../trader/position';
import type { TraderStats } from '../trader/trader-stats';

/** Numbers of one exit reason. */
export interface ReasonRow {
  readonly count: number;
  readonly wins: number;
  /** Net P&L, USDC. */
  readonly pnlUsdc: number;
}

/** The summary, as stored in the run row and printed. */
export interface Summary {
  readonly positions: number;
  readonly up: number;
  readonly down: number;
  readonly byReason: Record<string, ReasonRow>;
  /** Share of positions with P&L > 0, 0–1. */
  readonly winRate: number;
  readonly netPnlUsdc: number;
  readonly feesUsdc: number;
  /** Mean of (exit − entry) / (HWM − entry) over trailing-stop exits, 0–1; null when none. */
  readonly avgPeakCapturedTrailing: number | null;
  readonly reversalsExecuted: number;
  readonly reversalsBlocked: Record<string, number>;
  readonly exitsKilled: number;
  readonly exitsRejected: number;
  readonly exitRoundsFailed: number;
  readonly reconcileRequired: number;
  /** Exit failures on the venue's side, retried after a back-off (issue #8 point 3). */
  readonly exitsDeferred: number;
  /** Cooldowns after exhausted exit rounds (issue #8 point 3). */
  readonly exitCooldowns: number;
  readonly orderTooSmall: number;
  readonly entriesKilled: number;
  readonly entriesRejected: number;
  /** Entries refused by a risk limit, by limit. */
  readonly entriesBlocked: Record<string, number>;
  /** Orders not sent on a stale book. */
  readonly ordersBlockedStale: number;
  /** The replayed input's rows: read, kept, dropped by every reason (issue #9); absent for other runs. */
  readonly input?: InputTotals;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * Computes the summary of closed trades and the trader's counters, with the input's row counts
 * when given (a replay of tick files).
 */
export function summarize(trades: readonly TradeLine[], stats: TraderStats, input?: InputTotals): Summary {
  const byReason: Record<string, ReasonRow> = {};
  for (const r of EXIT_REASONS) byReason[r] = { count: 0, wins: 0, pnlUsdc: 0 };
  let wins = 0;
  let net = 0;
  let fees = 0;
  let captured = 0;
  let capturedN = 0;
  for (const t of trades) {
    const reason = t.exitReason ?? 'manual';
    const pnl = t.pnlUsdc ?? 0;
    const row = byReason[reason] ?? { count: 0, wins: 0, pnlUsdc: 0 };
    byReason[reason] = {
      count: row.count + 1,
      wins: row.wins + (pnl > 0 ? 1 : 0),
      pnlUsdc: round6(row.pnlUsdc + pnl),
    };
    if (pnl > 0) wins += 1;
    net += pnl;
    fees += t.entryFeeUsdc + (t.exitFeeUsdc ?? 0);
    if (
      reason === 'trailing_stop' &&
      t.highWaterMark !== null &&
      t.exitPrice !== null &&
      t.highWaterMark > t.entryPrice
    ) {
      captured += (t.exitPrice - t.entryPrice) / (t.highWaterMark - t.entryPrice);
      capturedN += 1;
    }
  }
  return {
    // a position with partial exits has a line per part (issue #12): count positions once
    positions: new Set(trades.map((t) => t.positionKey)).size,
    up: trades.filter((t) => t.side === 'UP').length,
    down: trades.filter((t) => t.side === 'DOWN').length,
    byReason,
    winRate: trades.length === 0 ? 0 : round6(wins / trades.length),
    netPnlUsdc: round6(net),
    feesUsdc: round6(fees),
    avgPeakCapturedTrailing: capturedN === 0 ? null : round6(captured / capturedN),
    reversalsExecuted: stats.reversalsExecuted,
    reversalsBlocked: { ...stats.reversalsBlocked },
    exitsKilled: stats.exitsKilled,
    exitsRejected: stats.exitsRejected,
    exitRoundsFailed: stats.exitRoundsFailed,
    reconcileRequired: stats.reconcileRequired,
    exitsDeferred: stats.exitsDeferred,
    exitCooldowns: stats.exitCooldowns,
    orderTooSmall: stats.orderTooSmall,
    entriesKilled: stats.entriesKilled,
    entriesRejected: stats.entriesRejected,
    entriesBlocked: { ...stats.entriesBlocked },
    ordersBlockedStale: stats.ordersBlockedStale,
    ...(input === undefined ? {} : { input }),
  };
}

const usd = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(4);
const pct = (x: number): string => (x * 100).toFixed(1) + '%';

/** Renders the summary as text tables (no colours, stable layout). */
export function formatSummary(s: Summary): string {
  const style = { head: [], border: [] };
  const reasons = new Table({ head: ['exit reason', 'positions', 'wins', 'P&L USDC'], style });
  for (const [reason, r] of Object.entries(s.byReason))
    reasons.push([reason, r.count, r.wins, usd(r.pnlUsdc)]);
  reasons.push(['total', s.positions, Math.round(s.winRate * s.positions), usd(s.netPnlUsdc)]);
  const blocked = Object.entries(s.reversalsBlocked);
  const totals = new Table({ style });
  totals.push(
    { positions: `${s.positions} (UP ${s.up}, DOWN ${s.down})` },
    { 'win rate': pct(s.winRate) },
    { 'net P&L (USDC, after fees)': usd(s.netPnlUsdc) },
    { 'fees paid (USDC)': s.feesUsdc.toFixed(4) },
    {
      'avg share of peak captured (trailing exits)':
        s.avgPeakCapturedTrailing === null ? 'n/a' : pct(s.avgPeakCapturedTrailing),
    },
    { 'reversals executed': s.reversalsExecuted },
    { 'reversals blocked': blocked.length === 0 ? '0' : blocked.map(([k, v]) => `${k} ${v}`).join(', ') },
    { 'exit orders killed / rejected': `${s.exitsKilled} / ${s.exitsRejected}` },
    { 'exit rounds failed / reconcile required': `${s.exitRoundsFailed} / ${s.reconcileRequired}` },
    { 'exits deferred by the venue / cooldowns': `${s.exitsDeferred} / ${s.exitCooldowns}` },
    { 'exits below venue minimum (rules kept armed)': s.orderTooSmall },
    { 'entries killed / rejected': `${s.entriesKilled} / ${s.entriesRejected}` },
    {
      'entries blocked by limits':
        Object.entries(s.entriesBlocked)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '0',
    },
    { 'orders blocked on stale books': s.ordersBlockedStale },
  );
  const text = `${reasons.toString()}\n${totals.toString()}`;
  return s.input === undefined ? text : `${text}\n${formatInput(s.input, style)}`;
}

/** The input table: files, rows read and kept, then one line per drop reason (0 included). */
function formatInput(i: InputTotals, style: { head: never[]; border: never[] }): string {
  const t = new Table({ head: ['input rows', 'count'], style });
  t.push(
    ['files read / skipped', `${i.files} / ${i.skippedFiles}`],
    ['rows read', i.rowsRead],
    ['rows kept (replayed)', i.rowsKept],
  );
  for (const r of DROP_REASONS) t.push([`dropped: ${DROP_LABELS[r]}`, i.dropped[r]]);
  t.push(['kept, outside their window', i.outsideWindow]);
  return t.toString();
}
