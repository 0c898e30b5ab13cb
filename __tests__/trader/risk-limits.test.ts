import { RiskLimits } from '../../src/trader/risk-limits';
import { at, runScenario, ScriptedStrategy, up } from '../helpers/scenario';

const DAY = 86_400_000;

describe('RiskLimits (issue #4)', () => {
  it('is off with zero limits', () => {
    const r = new RiskLimits({ MAX_OPEN_POSITIONS: 0, DAILY_LOSS_LIMIT_USDC: 0 });
    r.recordClose(-100_000_000, 0);
    expect(r.check(1000, 0)).toBeNull();
  });

  it('blocks at the open-position cap, the daily loss, and with the kill switch; the loss resets each UTC day', () => {
    const r = new RiskLimits({ MAX_OPEN_POSITIONS: 2, DAILY_LOSS_LIMIT_USDC: 3 });
    expect(r.check(2, 10)).toBe('max_open_positions');
    r.recordClose(-2_000_000, 10);
    expect(r.check(0, 20)).toBeNull();
    r.recordClose(-1_000_000, 30);
    expect(r.check(0, 40)).toBe('daily_loss_limit');
    expect(r.check(0, DAY + 1)).toBeNull();
    r.setKill(true);
    expect(r.check(0, DAY + 2)).toBe('kill_switch');
  });
});

describe('limits in the trader', () => {
  const entry = up(10, 0.49);

  it('MAX_OPEN_POSITIONS stops new entries, never exits', () => {
    const s = [new ScriptedStrategy('a', [[at(10), 'UP']]), new ScriptedStrategy('b', [[at(10), 'UP']])];
    const e = runScenario([entry, up(11, 0.3)], { strategies: s, config: { MAX_OPEN_POSITIONS: 1 } });
    expect(e.trader.stats.entriesBlocked).toEqual({ max_open_positions: 1 });
    expect(e.sink.trades).toHaveLength(1);
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss' });
  });

  it('the daily loss limit stops entries after a losing exit', () => {
    const s = [new ScriptedStrategy('a', [[at(10), 'UP']]), new ScriptedStrategy('b', [[at(20), 'UP']])];
    const e = runScenario([entry, up(11, 0.3), up(20, 0.49)], {
      strategies: s,
      config: { DAILY_LOSS_LIMIT_USDC: 1 },
    });
    expect(e.sink.trades[0]!.pnlUsdc!).toBeLessThan(-1);
    expect(e.trader.stats.entriesBlocked).toEqual({ daily_loss_limit: 1 });
  });

  it('the kill switch blocks entries and flattenAll sells every open position (reason manual)', () => {
    const s = [new ScriptedStrategy('a', [[at(10), 'UP']]), new ScriptedStrategy('b', [[at(20), 'UP']])];
    const e = runScenario([entry, up(15, 0.5)], { strategies: s, finish: false });
    e.trader.risk.setKill(true);
    e.step(up(20, 0.5));
    expect(e.trader.stats.entriesBlocked).toEqual({ kill_switch: 1 });
    const cmds = e.trader.flattenAll(at(21));
    expect(cmds.map((c) => [c.side, c.positionKey])).toEqual([['SELL', 'a_BTC_15m_1766745000']]);
  });
});

describe('the daily loss limit survives a restart (issue #8 point 9)', () => {
  const now = 20 * DAY + 10 * 3_600_000; // 10:00 UTC on day 20
  const closed = [
    { pnlMicros: -4_000_000, exitTimeMs: 19 * DAY + 5_000 }, // yesterday: not counted
    { pnlMicros: -2_000_000, exitTimeMs: 20 * DAY + 1_000 },
    { pnlMicros: 500_000, exitTimeMs: 20 * DAY + 3_600_000 },
    { pnlMicros: -1_500_000, exitTimeMs: now - 1 },
  ];

  it("seedClosed sums today's realised P&L from stored closed positions", () => {
    const r = new RiskLimits({ MAX_OPEN_POSITIONS: 0, DAILY_LOSS_LIMIT_USDC: 3 });
    expect(r.seedClosed(closed, now)).toBe(-3_000_000);
    expect(r.dayPnlMicros).toBe(-3_000_000);
    expect(r.check(0, now)).toBe('daily_loss_limit');
    // the next UTC day starts afresh
    expect(r.check(0, 21 * DAY)).toBeNull();
  });

  it('a seeded day below the limit still blocks once a new loss reaches it', () => {
    const r = new RiskLimits({ MAX_OPEN_POSITIONS: 0, DAILY_LOSS_LIMIT_USDC: 4 });
    r.seedClosed(closed, now);
    expect(r.check(0, now)).toBeNull();
    r.recordClose(-1_000_000, now + 1);
    expect(r.check(0, now + 2)).toBe('daily_loss_limit');
  });

  it("a P&L recorded with an earlier day's exit time neither counts nor resets today", () => {
    const r = new RiskLimits({ MAX_OPEN_POSITIONS: 0, DAILY_LOSS_LIMIT_USDC: 3 });
    r.seedClosed(closed, now);
    r.recordClose(-10_000_000, 19 * DAY + 1);
    expect(r.dayPnlMicros).toBe(-3_000_000);
    expect(r.check(0, now)).toBe('daily_loss_limit');
  });
});
