/**
 * Prometheus metrics of a running collector / trader (issue #13, `prom-client`): one registry per
 * process, filled at scrape time from the counters the trader, the collector and the live session
 * already keep — nothing is added to the tick path. Counters are kept monotonic by adding the
 * difference since the last scrape. Labels are bounded: crypto, window, strategy, side, reason,
 * outcome — never a token id or a position key.
 *
 * Families (prefix `updown_`): trading — open positions, positions opened today, exits by reason,
 * average stop-loss and take-profit %, average share of the peak captured, failed exit rounds,
 * reversals executed and blocked by reason, realised P&L today, fees; feed — frames, books
 * rejected, stale tokens now, reconnects, ticks persisted, failed batches, feed lag (histogram);
 * live — orders by purpose and outcome, unknown orders now, reconciliation passes and
 * discrepancies by kind, redeemed payouts, order round trip and decision to post (histograms,
 * `latency.ts`). Default process metrics are included.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { PROFIT_TAKING_REASONS } from '../core/types';
import type { CollectorStatus } from '../collector/collector';
import { intervalLabel } from '../core/ids';
import type { LiveStats } from '../live/live-stats';
import type { TradeLine } from '../trader/position';
import type { TraderStats } from '../trader/trader-stats';
import type { LatencyMetrics } from './latency';

/** An open position as the metrics see it (labels only). */
export interface OpenPositionLabels {
  readonly crypto: string;
  readonly windowSec: number;
  readonly strategy: string;
  readonly side: string;
  /** Entry fill time, ms (null: not filled yet). */
  readonly entryTimeMs: number | null;
}

/** What a trader exposes to the metrics (read at scrape time). */
export interface TraderSource {
  readonly stats: TraderStats;
  /** Positions not CLOSED. */
  open(): readonly OpenPositionLabels[];
  /** Closed trades so far, in closing order (the `trades.jsonl` lines; the array only grows). */
  readonly trades: readonly TradeLine[];
}

/** What a live session exposes (read at scrape time). */
export interface LiveSource {
  readonly stats: LiveStats;
  /** Orders whose outcome is unknown now. */
  unknownOrders(): number;
}

/** The sources of one process; absent ones export nothing. */
export interface MetricsSources {
  readonly collector?: () => CollectorStatus;
  readonly trader?: () => TraderSource | null;
  readonly live?: () => LiveSource | null;
  /** Alerts fired so far, by name (the alert monitor's counts). */
  readonly alerts?: () => Readonly<Record<string, number>>;
  /** Now, ms (the venue's clock): "today" is its UTC day. */
  readonly now: () => number;
  /** The latency histograms (feed lag, order round trip, decision to post), observed elsewhere. */
  readonly latency?: LatencyMetrics;
}

const TRADE_LABELS = ['crypto', 'window', 'strategy', 'side', 'reason'] as const;
const POSITION_LABELS = ['crypto', 'window', 'strategy', 'side'] as const;
const DAY_MS = 86_400_000;

/** A counter set from a running total at scrape time (adds the difference since the last scrape). */
class TotalCounter {
  private readonly last = new Map<string, number>();
  constructor(readonly counter: Counter<string>) {}
  set(total: number, labels: Record<string, string> = {}): void {
    const k = JSON.stringify(labels);
    const d = total - (this.last.get(k) ?? 0);
    if (d > 0) this.counter.inc(labels, d);
    this.last.set(k, Math.max(total, this.last.get(k) ?? 0));
  }
}

/**
 * Builds the registry of `sources`.
 * @returns the registry (serve it with `metrics-server.ts`).
 */
export function buildMetrics(sources: MetricsSources): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register }); // standard names (process_*, nodejs_*): dashboards know them
  const counter = (name: string, help: string, labelNames: readonly string[] = []): TotalCounter =>
    new TotalCounter(new Counter({ name, help, labelNames, registers: [register] }));
  const gauge = (
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    collect?: () => void,
  ): Gauge<string> =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [register],
      ...(collect === undefined ? {} : { collect }),
    });

  if (sources.collector !== undefined) addFeed(sources.collector, counter, gauge);
  if (sources.trader !== undefined) addTrading(sources.trader, sources.now, counter, gauge);
  if (sources.live !== undefined) addLive(sources.live, counter, gauge);
  sources.latency?.registerInto(register);
  const alerts = sources.alerts;
  if (alerts !== undefined) {
    const last = new Map<string, number>();
    new Counter({
      name: 'updown_alerts_total',
      help: 'Alerts fired, by name',
      labelNames: ['alert'],
      registers: [register],
      collect() {
        for (const [alert, n] of Object.entries(alerts())) {
          const d = n - (last.get(alert) ?? 0);
          if (d > 0) this.inc({ alert }, d);
          last.set(alert, n);
        }
      },
    });
  }
  return register;
}

type CounterOf = (name: string, help: string, labelNames?: readonly string[]) => TotalCounter;
type GaugeOf = (
  name: string,
  help: string,
  labelNames?: readonly string[],
  collect?: () => void,
) => Gauge<string>;

function addFeed(status: () => CollectorStatus, counter: CounterOf, gauge: GaugeOf): void {
  // the gauge that reads the source registers first: a scrape serializes in registration order
  const stale = gauge('updown_feed_stale_tokens', 'Tokens whose book is stale now', [], () => read());
  const frames = counter('updown_feed_frames_total', 'Frames received (market channel and RTDS)');
  const rejected = counter(
    'updown_feed_books_rejected_total',
    'Malformed or refused frames and books, dropped',
  );
  const reconnects = counter('updown_feed_reconnects_total', 'WebSocket reconnects');
  const ticks = counter('updown_feed_ticks_persisted_total', 'Ticks written to the database');
  const failed = counter('updown_feed_failed_batches_total', 'Database writes of ticks/frames that failed');
  const windows = gauge('updown_feed_windows', 'Windows followed now');
  function read(): void {
    const s = status();
    frames.set(s.frames);
    rejected.set(s.malformed);
    reconnects.set(s.reconnects);
    ticks.set(s.ticksPersisted);
    failed.set(s.writeErrors);
    stale.set(s.staleTokens);
    windows.set(s.windows);
  }
}

function addTrading(
  source: () => TraderSource | null,
  now: () => number,
  counter: CounterOf,
  gauge: GaugeOf,
): void {
  const open = gauge('updown_open_positions', 'Positions not closed', POSITION_LABELS, () => read());
  const exits = counter('updown_exits_total', 'Exits (trade lines) by reason', TRADE_LABELS);
  const fees = counter('updown_fees_usdc_total', 'Fees paid, USDC (entry and exit)', [
    'crypto',
    'window',
    'strategy',
  ]);
  const failedExits = counter('updown_exit_rounds_failed_total', 'Exit rounds the market failed');
  const reversals = counter('updown_reversals_executed_total', 'Reversals executed');
  const reversalsBlocked = counter('updown_reversals_blocked_total', 'Reversals blocked, by reason', [
    'reason',
  ]);
  const entriesBlocked = counter('updown_entries_blocked_total', 'Entries refused, by limit', ['reason']);
  const orders = counter('updown_orders_total', 'Orders by purpose and outcome', ['purpose', 'outcome']);
  const openedToday = gauge('updown_positions_opened_today', 'Positions whose entry filled today (UTC)');
  const pnlToday = gauge('updown_realised_pnl_today_usdc', 'Realised P&L of trades closed today (UTC), USDC');
  const avgStop = gauge('updown_avg_stop_loss_pct', 'Average loss of stop-loss exits, % of entry');
  const avgTake = gauge('updown_avg_take_profit_pct', 'Average gain of profit-taking exits, % of entry');
  const peak = gauge(
    'updown_avg_peak_captured',
    'Average share of the peak (HWM) captured by profit-taking exits, 0–1',
  );
  // trade lines read so far, and the running sums of the averages
  let cursor = 0;
  let stopSum = 0;
  let stopN = 0;
  let takeSum = 0;
  let takeN = 0;
  let peakSum = 0;
  let peakN = 0;
  const exitsByLabels = new Map<string, { labels: Record<string, string>; n: number }>();
  const feesByLabels = new Map<string, { labels: Record<string, string>; usdc: number }>();
  function read(): void {
    const t = source();
    if (t === null) return;
    const s = t.stats;
    for (; cursor < t.trades.length; cursor++) {
      const l = t.trades[cursor]!;
      const base = { crypto: l.crypto, window: intervalLabel(l.windowSec), strategy: l.strategy };
      const labels = { ...base, side: l.side, reason: l.exitReason ?? 'manual' };
      const k = JSON.stringify(labels);
      const e = exitsByLabels.get(k) ?? { labels, n: 0 };
      e.n += 1;
      exitsByLabels.set(k, e);
      const fk = JSON.stringify(base);
      const f = feesByLabels.get(fk) ?? { labels: base, usdc: 0 };
      f.usdc += l.entryFeeUsdc + (l.exitFeeUsdc ?? 0);
      feesByLabels.set(fk, f);
      const pct =
        l.exitPrice === null || l.entryPrice === 0
          ? null
          : ((l.exitPrice - l.entryPrice) / l.entryPrice) * 100;
      const takesProfit = l.exitReason !== null && PROFIT_TAKING_REASONS.has(l.exitReason);
      if (pct !== null && l.exitReason === 'stop_loss') {
        stopSum += -pct;
        stopN += 1;
      } else if (pct !== null && takesProfit) {
        takeSum += pct;
        takeN += 1;
      }
      if (takesProfit && l.exitPrice !== null && l.highWaterMark !== null && l.highWaterMark > l.entryPrice) {
        peakSum += (l.exitPrice - l.entryPrice) / (l.highWaterMark - l.entryPrice);
        peakN += 1;
      }
    }
    for (const e of exitsByLabels.values()) exits.set(e.n, e.labels);
    for (const f of feesByLabels.values()) fees.set(f.usdc, f.labels);
    avgStop.set(stopN === 0 ? 0 : stopSum / stopN);
    avgTake.set(takeN === 0 ? 0 : takeSum / takeN);
    peak.set(peakN === 0 ? 0 : peakSum / peakN);
    const dayStart = Math.floor(now() / DAY_MS) * DAY_MS;
    let pnl = 0;
    for (const l of t.trades) if ((l.exitTimeMs ?? 0) >= dayStart) pnl += l.pnlUsdc ?? 0;
    pnlToday.set(Math.round(pnl * 1e6) / 1e6);
    open.reset();
    let today = new Set(t.trades.filter((l) => l.entryTimeMs >= dayStart).map((l) => l.positionKey)).size;
    const counts = new Map<string, { labels: Record<string, string>; n: number }>();
    for (const p of t.open()) {
      if (p.entryTimeMs !== null && p.entryTimeMs >= dayStart) today += 1;
      const labels = {
        crypto: p.crypto,
        window: intervalLabel(p.windowSec),
        strategy: p.strategy,
        side: p.side,
      };
      const k = JSON.stringify(labels);
      const c = counts.get(k) ?? { labels, n: 0 };
      c.n += 1;
      counts.set(k, c);
    }
    for (const c of counts.values()) open.set(c.labels, c.n);
    openedToday.set(today);
    failedExits.set(s.exitRoundsFailed);
    reversals.set(s.reversalsExecuted);
    for (const [r, n] of Object.entries(s.reversalsBlocked)) reversalsBlocked.set(n, { reason: r });
    for (const [r, n] of Object.entries(s.entriesBlocked)) entriesBlocked.set(n, { reason: r });
    const o = (purpose: string, outcome: string, n: number): void => orders.set(n, { purpose, outcome });
    o('entry', 'filled', s.entriesFilled);
    o('entry', 'killed', s.entriesKilled);
    o('entry', 'rejected', s.entriesRejected);
    o('entry', 'unknown', s.entriesUnknown);
    o('exit', 'filled', s.exitsFilled);
    o('exit', 'killed', s.exitsKilled);
    o('exit', 'rejected', s.exitsRejected);
    o('exit', 'unknown', s.exitsUnknown);
    o('exit', 'retried', s.exitsDeferred);
  }
}

function addLive(source: () => LiveSource | null, counter: CounterOf, gauge: GaugeOf): void {
  const unknown = gauge('updown_unknown_orders', 'Orders whose outcome is unknown now', [], () => read());
  const passes = counter('updown_reconcile_passes_total', 'Chain reconciliation passes');
  const discrepancies = counter(
    'updown_reconcile_discrepancies_total',
    'Discrepancies adopted from the chain',
    ['kind'],
  );
  const redeemed = counter('updown_redeemed_positions_total', 'Positions redeemed with a payout');
  const payouts = counter('updown_redeemed_payout_usdc_total', 'Payouts redeemed, USDC');
  function read(): void {
    const l = source();
    if (l === null) return;
    passes.set(l.stats.reconcilePasses);
    for (const [kind, n] of Object.entries(l.stats.discrepancies)) discrepancies.set(n, { kind });
    redeemed.set(l.stats.redeemed);
    payouts.set(l.stats.redeemPayoutMicros / 1e6);
    unknown.set(l.unknownOrders());
  }
}
