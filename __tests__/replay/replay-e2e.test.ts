/**
 * End to end on the real shared recordings: the main job's invariants, determinism, and
 * persistence (PGlite by default, the PostgreSQL server when DATABASE_URL is set).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReplay } from '../../src/cli/replay';
import { loadConfig } from '../../src/config/schema';
import { loadInput } from '../../src/feed/input';
import { openRepository } from '../../src/persistence/open-repository';
import { ReplayEngine } from '../../src/replay/replay-engine';
import type { TradeLine } from '../../src/trader/position';
import type { TickRow } from '../../src/core/types';

const DATA = resolve(__dirname, '../../../shared/data/borisz42-btc15m');
const FILE = join(DATA, 'market_data_20251226.csv.gz');
const REASONS = ['stop_loss', 'trailing_stop', 'reversal', 'window_expiry'];
const tmp = mkdtempSync(join(tmpdir(), 'replay-e2e-'));
const env = {
  DATA_DIR: join(tmp, 'data'),
  DATABASE_URL: process.env.DATABASE_URL ?? '',
  LOG_LEVEL: 'silent',
};
const readTrades = (p: string): TradeLine[] =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TradeLine);
const µ = (x: number): number => Math.round(x * 1e6);

describe('replay of the shared data', () => {
  it('opens ≥ 30 positions on each side and produces every default exit reason', async () => {
    const { rows } = await loadInput(DATA);
    const engine = new ReplayEngine({ config: loadConfig({ env: {} }), persistTicks: false });
    await engine.run(rows, { repo: null, runId: 0 });
    const trades = engine.sink.trades;
    expect(trades.filter((t) => t.side === 'UP').length).toBeGreaterThanOrEqual(30);
    expect(trades.filter((t) => t.side === 'DOWN').length).toBeGreaterThanOrEqual(30);
    for (const r of REASONS) expect(trades.some((t) => t.exitReason === r)).toBe(true);
    expect(engine.trader.openPositions()).toHaveLength(0);
  });

  it('replays one file end to end: invariants, persistence, byte-identical output', async () => {
    const out1 = join(tmp, 'a', 'trades.jsonl');
    const res = await runReplay({ input: FILE, out: out1, progress: false }, env);
    const trades = readTrades(out1);
    expect(trades.length).toBe(res.summary.positions);
    expect(trades.length).toBeGreaterThan(20);

    // keys and order exactly as issue #2
    expect(Object.keys(trades[0]!)).toEqual([
      'positionKey',
      'strategy',
      'crypto',
      'windowSec',
      'windowEpoch',
      'side',
      'entryTimeMs',
      'entryPrice',
      'shares',
      'costUsdc',
      'entryFeeUsdc',
      'exitTimeMs',
      'exitPrice',
      'exitReason',
      'triggerBid',
      'highWaterMark',
      'peakPnlPct',
      'trailingActivatedAtMs',
      'proceedsUsdc',
      'exitFeeUsdc',
      'pnlUsdc',
      'exitAttempts',
    ]);
    const sorted = [...trades].sort(
      (a, b) => a.entryTimeMs - b.entryTimeMs || a.positionKey.localeCompare(b.positionKey),
    );
    expect(trades.map((t) => t.positionKey)).toEqual(sorted.map((t) => t.positionKey));

    // no exit on a tick where its rule did not fire
    const { rows } = await loadInput(FILE);
    const byTs = new Map<string, TickRow>();
    for (const r of rows) byTs.set(`${r.windowEpoch}:${r.tsMs}`, r);
    const cfg = loadConfig({ env: {} });
    for (const t of trades) {
      expect(REASONS).toContain(t.exitReason);
      const entry = µ(t.entryPrice);
      if (t.exitReason === 'window_expiry') {
        expect(t.exitTimeMs).toBe((t.windowEpoch + t.windowSec) * 1000);
        expect([0, 1]).toContain(t.exitPrice);
        continue;
      }
      const r = byTs.get(`${t.windowEpoch}:${t.exitTimeMs}`);
      expect(r).toBeDefined();
      const bid = t.side === 'UP' ? r!.upBid : r!.downBid;
      expect(bid).toBe(µ(t.triggerBid!));
      expect(t.exitTimeMs!).toBeGreaterThan(t.entryTimeMs);
      if (t.exitReason === 'stop_loss')
        expect(bid!).toBeLessThan(Math.round(entry * (1 - cfg.STOP_LOSS_PCT)));
      if (t.exitReason === 'reversal')
        expect(bid!).toBeGreaterThanOrEqual(Math.round(entry * (1 + cfg.MIN_PROFIT_TO_REVERSE)));
      if (t.exitReason === 'trailing_stop') {
        expect(t.trailingActivatedAtMs).not.toBeNull();
        const hwm = µ(t.highWaterMark!);
        const stop = Math.max(
          Math.round(hwm * (1 - cfg.TRAILING_STOP_PCT)),
          Math.round(entry * (1 + cfg.MIN_PROFIT_FLOOR_PCT)),
        );
        expect(bid!).toBeLessThanOrEqual(stop);
      }
    }

    // persisted: every position CLOSED with a valid reason, every tick, a journal in sequence
    const repo = await openRepository(
      env.DATABASE_URL !== '' ? { databaseUrl: env.DATABASE_URL } : { dataDir: join(env.DATA_DIR, 'pglite') },
    );
    try {
      const runId = res.runId!;
      const positions = await repo.loadPositions(runId);
      const opened = positions.filter((p) => p.entryTimeMs !== null);
      expect(opened).toHaveLength(trades.length);
      for (const p of opened) {
        expect(p.state).toBe('CLOSED');
        expect(REASONS).toContain(p.exitReason);
      }
      expect(await repo.countTicks(runId)).toBe(rows.length);
      const events = await repo.loadPositionEvents(runId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const fills = await repo.loadFills(runId);
      expect(fills.length).toBeGreaterThanOrEqual(
        trades.length + trades.filter((t) => t.exitAttempts > 0).length,
      );
    } finally {
      await repo.close();
    }

    // same input and config → byte-identical trades.jsonl
    // (stored again in the same database: a second run keeps all of its fills, although its
    // simulated trade ids repeat the first run's)
    const out2 = join(tmp, 'b', 'trades.jsonl');
    const res2 = await runReplay({ input: FILE, out: out2, progress: false }, env);
    expect(readFileSync(out2)).toEqual(readFileSync(out1));
    const again = await openRepository(
      env.DATABASE_URL !== '' ? { databaseUrl: env.DATABASE_URL } : { dataDir: join(env.DATA_DIR, 'pglite') },
    );
    try {
      expect((await again.loadFills(res2.runId!)).length).toBe((await again.loadFills(res.runId!)).length);
    } finally {
      await again.close();
    }
  });
});
