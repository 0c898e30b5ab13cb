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
    expect(cmds.map((c) => [c.side, c.positionKey])).toEqual([['SELL', 'a_BTC_1766745000']]);
  });
});
