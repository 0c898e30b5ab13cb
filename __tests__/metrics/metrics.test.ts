/**
 * Prometheus metrics (issue #13): the registry built from the trader's, the collector's and the
 * live session's counters (families, bounded labels, counters that only grow), served over HTTP
 * on loopback; and `trade --mode sim --local` (a real CLI child against the local exchange)
 * serving `/metrics` while it trades.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CollectorStatus } from '../../src/collector/collector';
import { startMetricsServer } from '../../src/metrics/metrics-server';
import { buildMetrics, type TraderSource } from '../../src/metrics/trading-metrics';
import { newLiveStats } from '../../src/live/live-stats';
import type { TradeLine } from '../../src/trader/position';
import { newTraderStats } from '../../src/trader/trader-stats';
import { startLocalExchange } from '../../testkit/exchange-local/server';
import { waitFor } from '../helpers/wait-for';

const DAY = 1_766_707_200_000; // 2025-12-26 00:00 UTC
const line = (over: Partial<TradeLine>): TradeLine => ({
  positionKey: 'momentum_BTC_15m_1766745000',
  strategy: 'momentum',
  crypto: 'BTC',
  windowSec: 900,
  windowEpoch: 1766745000,
  side: 'UP',
  entryTimeMs: DAY + 1000,
  entryPrice: 0.5,
  shares: 10,
  costUsdc: 5,
  entryFeeUsdc: 0.01,
  exitTimeMs: DAY + 60_000,
  exitPrice: 0.6,
  exitReason: 'trailing_stop',
  triggerBid: 0.6,
  highWaterMark: 0.7,
  peakPnlPct: 0.4,
  trailingActivatedAtMs: DAY + 30_000,
  proceedsUsdc: 6,
  exitFeeUsdc: 0.02,
  pnlUsdc: 0.97,
  exitAttempts: 1,
  ...over,
});
const status = (frames: number): CollectorStatus => ({
  windows: 2,
  frames,
  bookUpdates: 0,
  staleTokens: 1,
  staleDetected: 3,
  reconnects: 1,
  malformed: 4,
  ticksPersisted: 7,
  discoveryErrors: 0,
  writeErrors: 0,
  rowsDropped: 0,
  spot: null,
});
/** The value of one sample line (`name{labels} value`), or undefined. */
const sample = (text: string, prefix: string): number | undefined => {
  const l = text.split('\n').find((x) => x.startsWith(prefix));
  return l === undefined ? undefined : Number(l.slice(l.lastIndexOf(' ') + 1));
};

describe('the registry', () => {
  it('exports trading, feed and live families with bounded labels; counters only grow', async () => {
    const stats = newTraderStats();
    stats.exitRoundsFailed = 2;
    stats.reversalsBlocked = { blocked_losing: 3 };
    stats.entriesFilled = 5;
    const trades: TradeLine[] = [
      line({}),
      line({ positionKey: 'k2', exitReason: 'stop_loss', exitPrice: 0.37, pnlUsdc: -1.33 }),
    ];
    const trader: TraderSource = {
      stats,
      trades,
      open: () => [
        { crypto: 'ETH', windowSec: 300, strategy: 'momentum', side: 'DOWN', entryTimeMs: DAY + 5_000 },
      ],
    };
    const live = newLiveStats();
    live.reconcilePasses = 9;
    live.discrepancies.extra = 1;
    let frames = 100;
    const reg = buildMetrics({
      collector: () => status(frames),
      trader: () => trader,
      live: () => ({ stats: live, unknownOrders: () => 2 }),
      now: () => DAY + 120_000,
    });
    const text = await reg.metrics();
    expect(
      sample(
        text,
        'updown_exits_total{crypto="BTC",window="15m",strategy="momentum",side="UP",reason="trailing_stop"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'updown_exits_total{crypto="BTC",window="15m",strategy="momentum",side="UP",reason="stop_loss"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'updown_open_positions{crypto="ETH",window="5m",strategy="momentum",side="DOWN"}'),
    ).toBe(1);
    expect(sample(text, 'updown_positions_opened_today')).toBe(3);
    expect(sample(text, 'updown_realised_pnl_today_usdc')).toBeCloseTo(-0.36, 6);
    expect(sample(text, 'updown_avg_stop_loss_pct')).toBeCloseTo(26, 6);
    expect(sample(text, 'updown_avg_take_profit_pct')).toBeCloseTo(20, 6);
    expect(sample(text, 'updown_avg_peak_captured')).toBeCloseTo(0.5, 6);
    expect(sample(text, 'updown_exit_rounds_failed_total')).toBe(2);
    expect(sample(text, 'updown_reversals_blocked_total{reason="blocked_losing"}')).toBe(3);
    expect(sample(text, 'updown_orders_total{purpose="entry",outcome="filled"}')).toBe(5);
    expect(sample(text, 'updown_feed_frames_total')).toBe(100);
    expect(sample(text, 'updown_feed_stale_tokens')).toBe(1);
    expect(sample(text, 'updown_reconcile_passes_total')).toBe(9);
    expect(sample(text, 'updown_reconcile_discrepancies_total{kind="extra"}')).toBe(1);
    expect(sample(text, 'updown_unknown_orders')).toBe(2);
    expect(text).toContain('\nprocess_cpu_user_seconds_total ');
    // no token id or position key in any label
    expect(text).not.toMatch(/k2|momentum_BTC_15m/);
    // a later scrape: counters follow the sources, new trades add up
    frames = 250;
    trades.push(line({ positionKey: 'k3' }));
    const again = await reg.metrics();
    expect(sample(again, 'updown_feed_frames_total')).toBe(250);
    expect(
      sample(
        again,
        'updown_exits_total{crypto="BTC",window="15m",strategy="momentum",side="UP",reason="trailing_stop"}',
      ),
    ).toBe(2);
  });

  it('serves GET /metrics on loopback (404 elsewhere)', async () => {
    const s = await startMetricsServer(buildMetrics({ now: () => 0 }), '127.0.0.1', 0);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const r = await fetch(s.url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/plain');
      expect(await r.text()).toContain('# TYPE process_cpu_user_seconds_total counter');
      expect((await fetch(s.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

describe('trade --mode sim --local --dashboard with METRICS_PORT', () => {
  it('serves the feed, trading and latency families and the dashboard while it trades', async () => {
    const ex = await startLocalExchange({ speed: 60, windows: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'metrics-sim-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(__dirname, '../../src/cli/main.ts'),
        'trade',
        '--mode',
        'sim',
        '--local',
        ex.url,
        '--no-db',
        '--duration',
        '60',
        '--dashboard',
      ],
      {
        env: {
          ...process.env,
          METRICS_PORT: String(port),
          DASHBOARD_PORT: '0',
          LOG_LEVEL: 'silent',
          DATA_DIR: dir,
          OUT_PATH: join(dir, 'trades.jsonl'),
          KILL_SWITCH_FILE: join(dir, 'KILL'),
          STRATEGIES: 'crash-rebound',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => out.includes(`metrics: http://127.0.0.1:${port}/metrics`), 60_000, {
        what: 'the metrics line',
        detail: () => out,
      });
      await waitFor(() => /dashboard: http:\/\/127\.0\.0\.1:\d+\//.test(out), 60_000, {
        what: 'the dashboard line',
        detail: () => out,
      });
      const dash = /dashboard: (http:\/\/\S+)/.exec(out)![1]!;
      ex.play();
      let text = '';
      await waitFor(
        async () => {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return (
            (sample(text, 'updown_feed_frames_total') ?? 0) > 0 &&
            (sample(text, 'updown_feed_lag_seconds_count') ?? 0) > 0
          );
        },
        60_000,
        { what: 'frames counted', detail: () => text.slice(0, 2000) },
      );
      for (const family of [
        'updown_feed_stale_tokens',
        'updown_orders_total',
        'updown_positions_opened_today',
        'updown_realised_pnl_today_usdc',
      ])
        expect(text).toContain(`# TYPE ${family}`);
      expect(text).toContain('# TYPE updown_feed_lag_seconds histogram');
      // the dashboard of the same process: the sim trader, the feed's health, the windows followed
      let state: { mode: string; feed: { frames: number } | null; windows: unknown[]; live: unknown } = {
        mode: '',
        feed: null,
        windows: [],
        live: null,
      };
      await waitFor(
        async () => {
          state = (await (await fetch(`${dash}state`)).json()) as typeof state;
          return state.windows.length > 0 && (state.feed?.frames ?? 0) > 0;
        },
        60_000,
        { what: 'the dashboard state', detail: () => JSON.stringify(state).slice(0, 2000) },
      );
      expect(state.mode).toBe('sim');
      expect(state.live).toBeNull();
      // read-only: nothing but GET
      expect((await fetch(`${dash}state`, { method: 'POST' })).status).toBe(405);
      const page = await (await fetch(dash)).text();
      expect(page).toContain('<script src="chart.js"></script>');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await ex.close();
    }
  }, 150_000);
});
