/**
 * The dashboard's model (issue #13) on the shared real data through the replay engine (the same
 * ticks and trader as every mode): a position appears with its lines (entry, stop loss, profit
 * floor), its stop moves to the trail once the HWM passes the activation, it leaves the open list
 * for the recent exits when it closes; series stay bounded over the whole replay. Plus the kill
 * switch, the live panel and the feed health from their sources.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config/schema';
import {
  DashboardModel,
  MAX_EXITS,
  MAX_SAMPLES,
  MAX_WINDOWS,
  type DashboardSnapshot,
} from '../../src/dashboard/dashboard-model';
import { dashboardTraderOf } from '../../src/dashboard/trader-view';
import { streamInput } from '../../src/feed/input';
import { ReplayEngine } from '../../src/replay/replay-engine';

const DATA = resolve(__dirname, '../../../shared/data/borisz42-btc15m');
const FIRST = 'crash-rebound_BTC_15m_1766745900';

describe('DashboardModel on the shared data', () => {
  const cfg = loadConfig({ env: {} });
  const engine = new ReplayEngine({ config: cfg, persistTicks: false });
  const model = new DashboardModel({
    mode: 'replay',
    trader: () => dashboardTraderOf(engine.trader, engine.sink.trades, cfg),
  });
  engine.onTick = (t) => model.observe(t);
  const seen: DashboardSnapshot[] = [];
  let last: DashboardSnapshot;

  beforeAll(async () => {
    let watching = true;
    for await (const batch of streamInput(DATA).batches) {
      for (const row of batch) {
        engine.step(row);
        if (watching) {
          const s = model.snapshot();
          if (s.positions.some((p) => p.key === FIRST) || s.exits.some((x) => x.key === FIRST)) seen.push(s);
          if (s.exits.some((x) => x.key === FIRST)) watching = false;
        }
      }
      engine.sink.discard();
    }
    engine.finish();
    last = model.snapshot();
  }, 60_000);

  it('shows the first position with its entry, stop loss and profit floor (0–1 prices)', () => {
    const p = seen[0]!.positions.find((x) => x.key === FIRST)!;
    expect(p).toMatchObject({
      side: 'UP',
      entry: 0.54,
      stopLoss: 0.405,
      profitFloor: 0.567,
      trailingStop: null,
    });
    expect(p.effectiveStop).toBe(0.405);
    expect(p.windowKey).toBe('BTC:900:1766745900');
  });

  it('moves the stop line to the trail when the HWM passes the activation; the HWM only rises', () => {
    const views = seen.flatMap((s) => s.positions.filter((x) => x.key === FIRST));
    const trailing = views.find((v) => v.trailingStop !== null)!;
    expect(trailing.effectiveStop).toBe(trailing.trailingStop);
    expect(trailing.effectiveStop!).toBeGreaterThan(0.405);
    // the trailing-stop line is the HWM trail, round(HWM × (1 − 10 %)); here above the 0.567 floor
    expect(trailing.trailingStop).toBe(Math.round(trailing.highWaterMark! * 0.9 * 1000) / 1000);
    expect(trailing.trailingStop!).toBeGreaterThan(0.567);
    const hwms = views.map((v) => v.highWaterMark!);
    expect(hwms).toEqual([...hwms].sort((a, b) => a - b));
    // the per-second trace carries the stop line as it moved
    const series = views.at(-1)!.series;
    expect(series.v['stop']![0]).toBe(0.405);
    expect(series.v['stop']!.at(-1)).toBe(trailing.trailingStop);
    expect(series.t.length).toBe(series.v['bid']!.length);
  });

  it('moves a closed position to the recent exits with its reason and P&L', () => {
    const s = seen.at(-1)!;
    expect(s.positions.some((p) => p.key === FIRST)).toBe(false);
    expect(s.exits[0]).toMatchObject({ key: FIRST, reason: 'reversal', entryPrice: 0.54, exitPrice: 0.72 });
  });

  it('stays bounded over the whole replay: windows, samples, exits', () => {
    expect(last.windows.length).toBeLessThanOrEqual(MAX_WINDOWS);
    for (const w of last.windows) expect(w.series.t.length).toBeLessThanOrEqual(MAX_SAMPLES);
    expect(last.exits).toHaveLength(MAX_EXITS);
    expect(last.totals.trades).toBe(engine.sink.trades.length);
    expect(last.positions).toEqual([]);
    // windows newest first
    const epochs = last.windows.map((w) => w.windowEpoch);
    expect(epochs).toEqual([...epochs].sort((a, b) => b - a));
  });
});

describe('DashboardModel sources', () => {
  it('shows the kill switch, the feed health and the live panel; the last reconciliation time', () => {
    let passes = 3;
    let killed = false;
    const model = new DashboardModel({
      mode: 'live',
      trader: () => ({
        positions: () => [],
        trades: [],
        lines: () => null,
        get killSwitch() {
          return killed;
        },
        flatten: false,
      }),
      feed: () => ({ staleTokens: 1, reconnects: 2, frames: 30, malformed: 0 }),
      live: () => ({ unknownOrders: 1, reconcilePasses: passes, discrepancies: 0 }),
    });
    const first = model.snapshot();
    expect(first.killSwitch).toEqual({ entriesStopped: false, flatten: false });
    expect(first.feed).toEqual({ staleTokens: 1, reconnects: 2, frames: 30, malformed: 0 });
    expect(first.live).toEqual({
      unknownOrders: 1,
      reconcilePasses: 3,
      discrepancies: 0,
      ordersInFlight: 0,
      lastReconcileMs: null,
    });
    killed = true;
    passes = 4;
    const second = model.snapshot();
    expect(second.killSwitch!.entriesStopped).toBe(true);
    expect(second.live!.lastReconcileMs).toBe(second.nowMs);
  });

  it('without a trader or a feed (collect): no positions, null panels', () => {
    const s = new DashboardModel({ mode: 'collect' }).snapshot();
    expect(s).toMatchObject({ mode: 'collect', killSwitch: null, feed: null, live: null, positions: [] });
  });
});
