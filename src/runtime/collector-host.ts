/**
 * The collector host (issue #3; issue #10: the runtime, not the CLI): builds the collector with
 * its clocks and repository, hands its ticks to a plugin (the sim or live trader), owns the
 * once-a-second status timer and the shutdown on SIGINT/SIGTERM, `--duration` or a plugin's
 * stop request. Logs: pino JSON on stderr; the status line on a TTY.
 */
import { join } from 'node:path';
import { Collector, type CollectorStatus } from '../collector/collector';
import { FrameRecorder } from '../feed/frame-recorder';
import type { Config } from '../config/schema';
import { configHash, redactConfig } from '../config/redact';
import { SystemClock } from '../platform/system-clock';
import { createLogger, type Logger } from '../platform/logger';
import type { Tick } from '../core/types';
import type { MarketInfo } from '../market/market-info';
import type { OrderBook } from '../book/order-book';
import { VenueClock } from '../market/venue-clock';
import { parseIntervals } from '../market/windows';
import { openRepository } from '../persistence/open-repository';
import type { Repository } from '../persistence/repository';
import { AlertMonitor } from '../alerts/alert-monitor';
import type { AlertInputs } from '../alerts/alert-rules';
import type { LiveSource, TraderSource } from '../metrics/trading-metrics';
import type { MetricsServer } from '../metrics/metrics-server';
import { LatencyMetrics, type OrderLatencyKind } from '../metrics/latency';
import type { DashboardTrader, LivePanelSource } from '../dashboard/dashboard-model';
import { serveDashboard, serveMetrics, type Dashboard } from './observability';

/** What a plugin of the collector (the trader in `trade --mode sim`) is given. */
export interface PluginContext {
  readonly repo: Repository | null;
  readonly runId: number;
  readonly log: Logger;
  /** The collector's live book of a token. */
  readonly bookOf: (tokenId: string) => OrderBook | undefined;
  /** The windows the collector tracks, with their chain ids. */
  readonly markets: () => MarketInfo[];
  /** The venue's time (the local exchange's clock with `--local`, else the wall clock), ms. */
  readonly venueNow: () => number;
  /** Records an order latency (the live venue's round trips and decision-to-post; issue #13). */
  readonly observeOrderLatency: (kind: OrderLatencyKind, ms: number) => void;
}

/** A consumer of the collector's ticks. */
export interface CollectPlugin {
  onTick(tick: Tick): void;
  /** Awaited before the collector starts (the live trader restores and reconciles here). */
  start?(): Promise<void>;
  everySecond?(): void;
  stop?(): Promise<void>;
  /** What the plugin exposes to `/metrics` (issue #13; read at scrape time). */
  readonly metrics?: {
    readonly trader?: () => TraderSource | null;
    readonly live?: () => LiveSource | null;
    /** The paper-parity verdict so far (live with its twin; issue #11), for the `parity_fail` alert. */
    readonly parity?: () => 'pass' | 'fail' | null;
    /** The trader as the dashboard shows it (issue #13). */
    readonly dashboard?: () => DashboardTrader | null;
  };
}

/** What the alert rules read at a check: the collector's status and the plugin's trader and live state. */
function alertInputs(nowMs: number, s: CollectorStatus, plugin: CollectPlugin | undefined): AlertInputs {
  const t = plugin?.metrics?.trader?.() ?? null;
  const l = plugin?.metrics?.live?.() ?? null;
  const d = l?.stats.discrepancies;
  return {
    nowMs,
    failedExitRounds: t?.stats.exitRoundsFailed ?? 0,
    discrepancies: d === undefined ? null : d.missing + d.extra + d.size_mismatch,
    trades: t?.trades ?? [],
    openEntryTimes: (t?.open() ?? []).flatMap((p) => (p.entryTimeMs === null ? [] : [p.entryTimeMs])),
    staleTokens: s.staleTokens,
    parityVerdict: plugin?.metrics?.parity?.() ?? null,
  };
}

/** The dashboard of a collector and its plugin (read once built): feed health, the trader, the live panel. */
function openDashboard(
  cfg: Config,
  mode: 'collect' | 'sim' | 'live',
  collector: Collector,
  plugin: () => CollectPlugin | undefined,
): Promise<Dashboard> {
  return serveDashboard(cfg, {
    mode,
    feed: () => collector.status(),
    ...(mode === 'collect' ? {} : { trader: () => plugin()?.metrics?.dashboard?.() ?? null }),
    ...(mode === 'live' ? { live: () => livePanelOf(plugin()?.metrics?.live?.() ?? null) } : {}),
  });
}

/** The live panel's counters from the live session's metrics source. */
function livePanelOf(l: LiveSource | null): LivePanelSource | null {
  if (l === null) return null;
  const d = l.stats.discrepancies;
  return {
    unknownOrders: l.unknownOrders(),
    reconcilePasses: l.stats.reconcilePasses,
    discrepancies: d.missing + d.extra + d.size_mismatch,
  };
}

/** Formats the status line. */
export function statusLine(s: CollectorStatus, framesPerSec: number): string {
  return (
    `windows ${s.windows} | frames ${s.frames} (${framesPerSec.toFixed(0)}/s) | book updates ${s.bookUpdates} | ` +
    `stale ${s.staleTokens} (detected ${s.staleDetected}) | reconnects ${s.reconnects} | malformed ${s.malformed} | ` +
    `ticks saved ${s.ticksPersisted}${s.spot === null ? '' : ` | spot ${s.spot.toFixed(2)}`}`
  );
}

/**
 * Runs the collector until SIGINT/SIGTERM, `durationSec` or `stopWhen`; the plugin (if any) is
 * built with the collector's books and markets, started before the collector and stopped after it.
 */
export async function runCollect(
  cfg: Config,
  opts: {
    db: boolean;
    durationSec: number | null;
    venueTime: boolean;
    /** Builds the tick consumer (may be async: the live venue is created here). */
    plugin?: (ctx: PluginContext) => CollectPlugin | Promise<CollectPlugin>;
    /** A repository and run opened by the caller (live): used as is, neither finished nor closed here. */
    run?: { readonly repo: Repository; readonly runId: number };
    /** Stops the collector when it resolves, like Ctrl-C (the live runtime's account-setup stop). */
    stopWhen?: Promise<unknown>;
    /** What runs on the feed: the collector alone, the sim trader or the live trader (metrics, dashboard). */
    mode: 'collect' | 'sim' | 'live';
    /** Serve the dashboard (`--dashboard`, issue #13). */
    dashboard?: boolean;
  },
): Promise<void> {
  const log = createLogger(cfg.LOG_LEVEL);
  const clock = new SystemClock();
  // a local exchange plays recorded days: windows are found on its clock, not ours
  const venueClock = opts.venueTime ? new VenueClock(`${cfg.CLOB_URL}/time`, clock) : null;
  await venueClock?.start();
  const cryptos = cfg.COLLECT_CRYPTOS.split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  const intervalsSec = parseIntervals(cfg.COLLECT_INTERVALS);
  let repo: Repository | null = opts.run?.repo ?? null;
  let runId = opts.run?.runId ?? 0;
  if (opts.db && opts.run === undefined) {
    repo = await openRepository(
      cfg.DATABASE_URL !== '' ? { databaseUrl: cfg.DATABASE_URL } : { dataDir: join(cfg.DATA_DIR, 'pglite') },
    );
    runId = await repo.createRun({
      mode: 'sim',
      configHash: configHash(cfg),
      codeRevision: opts.plugin === undefined ? 'collect' : 'trade',
      input: cfg.MARKET_WS_URL,
      startedAtMs: clock.now(),
      config: redactConfig(cfg),
    });
  }
  const latency = new LatencyMetrics();
  const collector = new Collector({
    gammaUrl: cfg.GAMMA_URL,
    clobUrl: cfg.CLOB_URL,
    marketWsUrl: cfg.MARKET_WS_URL,
    rtdsUrl: cfg.RTDS_URL,
    cryptos,
    intervalsSec,
    clock,
    ...(venueClock === null ? {} : { venueClock }),
    random: Math.random,
    log,
    staleBookMs: cfg.STALE_BOOK_MS,
    discoveryIntervalMs: cfg.DISCOVERY_INTERVAL_MS,
    subscribeAheadMs: cfg.SUBSCRIBE_AHEAD_MS,
    unsubscribeAfterMs: cfg.UNSUBSCRIBE_AFTER_MS,
    pingIntervalMs: cfg.WS_PING_INTERVAL_MS,
    reconnect: { baseMs: cfg.RECONNECT_BASE_MS, maxMs: cfg.RECONNECT_MAX_MS },
    repo,
    runId,
    recorder: cfg.RECORD_DIR === '' ? null : new FrameRecorder(cfg.RECORD_DIR, clock.now()),
    onFeedLag: latency.observeFeedLag,
  });
  // the observation endpoints first (a port in use stops the command before anything trades);
  // they read the plugin once it exists
  let plugin: CollectPlugin | undefined;
  const venueNow = (): number => venueClock?.now() ?? clock.now();
  const alerts = new AlertMonitor({ cfg, log, webhookUrl: cfg.ALERT_WEBHOOK_URL });
  let metrics: MetricsServer | null = null;
  let dashboard: Dashboard | null = null;
  try {
    metrics = await serveMetrics(cfg, {
      collector: () => collector.status(),
      alerts: () => alerts.fired,
      latency,
      ...(opts.mode === 'collect' ? {} : { trader: () => plugin?.metrics?.trader?.() ?? null }),
      ...(opts.mode === 'live' ? { live: () => plugin?.metrics?.live?.() ?? null } : {}),
      now: venueNow,
    });
    if (opts.dashboard === true) dashboard = await openDashboard(cfg, opts.mode, collector, () => plugin);
  } catch (err) {
    await metrics?.close();
    venueClock?.stop();
    throw err;
  }
  // dependency order (issue #10): the collector (books, markets) → the plugin → its ticks
  try {
    plugin = await opts.plugin?.({
      repo,
      runId,
      log,
      bookOf: (id) => collector.feed.l2.book(id),
      markets: () => collector.windows(),
      venueNow,
      observeOrderLatency: latency.observeOrder,
    });
  } catch (err) {
    await metrics?.close();
    await dashboard?.server.close();
    venueClock?.stop();
    throw err;
  }
  const model = dashboard?.model;
  const p = plugin;
  if (p !== undefined && model !== undefined)
    collector.setTickListener((t: Tick) => {
      p.onTick(t);
      model.observe(t);
    });
  else if (p !== undefined) collector.setTickListener((t: Tick) => p.onTick(t));
  else if (model !== undefined) collector.setTickListener((t: Tick) => model.observe(t));
  await plugin?.start?.();
  log.info({ cryptos, intervalsSec, ws: cfg.MARKET_WS_URL }, 'collector starting');
  await collector.start();
  let lastFrames = 0;
  let lastAt = clock.now();
  const status = setInterval(() => {
    const s = collector.status();
    const now = clock.now();
    const rate = ((s.frames - lastFrames) * 1000) / Math.max(1, now - lastAt);
    lastFrames = s.frames;
    lastAt = now;
    const line = statusLine(s, rate);
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
    else log.info({ status: s, framesPerSec: Math.round(rate) }, 'status');
    plugin?.everySecond?.();
    try {
      alerts.check(alertInputs(venueNow(), s, plugin));
    } catch (err) {
      // never let the alerts take the process down (a throw in a timer would)
      log.error({ err: (err as Error).message }, 'alert check failed');
    }
  }, 1000);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (opts.durationSec !== null) setTimeout(done, opts.durationSec * 1000).unref();
    void opts.stopWhen?.then(done, done);
  });
  clearInterval(status);
  await collector.stop();
  venueClock?.stop();
  await plugin?.stop?.();
  await metrics?.close();
  await dashboard?.server.close();
  await alerts.idle();
  const final = collector.status();
  if (repo !== null && opts.run === undefined) {
    await repo.finishRun(runId, clock.now(), { collector: final });
    await repo.close();
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(statusLine(final, 0));
}
