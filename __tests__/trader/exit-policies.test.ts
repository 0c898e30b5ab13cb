/**
 * The exit-policy engine inside the trader (issue #12): policies from EXIT_POLICIES run on every
 * tick in their priority order; a partial exit (`scale_out`) sells part of the shares through the
 * order desk and leaves the position OPEN; partial exits become their own `trades.jsonl` lines; the
 * policy state goes into the position snapshot and comes back from it (a restart resumes it).
 */
import type { TickRow } from '../../src/core/types';
import { summarize } from '../../src/report/summary';
import { positionFromRecord, toPositionRecord } from '../../src/trader/position';
import { at, eventTypes, row, runScenario, ScriptedStrategy, up } from '../helpers/scenario';

const KEY = 's1_BTC_15m_1766745000';
const buyUpAt10 = (): ScriptedStrategy => new ScriptedStrategy('s1', [[at(10), 'UP']]);
/** Entry at 10 s: UP ask 0.50 → 10 shares at 0.50 (POSITION_SIZE_USDC 5, fees off). */
const entry = up(10, 0.49);
const policies = (p: unknown): { EXIT_POLICIES: string } => ({
  EXIT_POLICIES: JSON.stringify({ policies: p }),
});
const bids = (from: number, xs: readonly number[]): TickRow[] => xs.map((b, i) => up(from + i, b));

describe('HWM engagement with scale-out (exit-policies.md §3.3) in the trader', () => {
  const rows = [entry, ...bids(11, [0.51, 0.53, 0.55, 0.58, 0.6, 0.58, 0.57])];

  it('sells half at +10 %, keeps the position OPEN, and exits the rest on the trail', () => {
    const e = runScenario(rows, { strategies: [buyUpAt10()], config: policies({ trail_exit: {} }) });
    const lines = e.sink.trades;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ positionKey: KEY, exitReason: 'scale_out', shares: 5, exitPrice: 0.55 });
    expect(lines[0]!.pnlUsdc).toBeCloseTo(0.25, 6);
    expect(lines[1]).toMatchObject({
      positionKey: KEY,
      exitReason: 'trail_exit',
      shares: 5,
      exitPrice: 0.57,
    });
    expect(lines[1]!.pnlUsdc).toBeCloseTo(0.35, 6);
    expect(lines[0]!.costUsdc + lines[1]!.costUsdc).toBeCloseTo(5, 6);
    // one position (two lines), its P&L the sum of its lines
    const sum = summarize(lines, e.trader.stats);
    expect(sum.positions).toBe(1);
    expect(sum.netPnlUsdc).toBeCloseTo(0.6, 6);
    const types = eventTypes(e, KEY);
    expect(types).toEqual(
      expect.arrayContaining(['HWM_ENGAGED', 'SCALE_OUT', 'PARTIAL_FILLED', 'TRAIL_TRIGGERED']),
    );
    // the partial went back to OPEN before the final exit fired
    expect(types.indexOf('PARTIAL_FILLED')).toBeLessThan(types.lastIndexOf('EXIT_FIRED'));
  });

  it('every policy event names its policy and carries its inputs', () => {
    const e = runScenario(rows, { strategies: [buyUpAt10()], config: policies({ trail_exit: {} }) });
    const engaged = e.sink.bufferedEvents().find((x) => x.type === 'HWM_ENGAGED')!;
    expect(engaged.data).toMatchObject({ policy: 'trail_exit', bid: 530_000 });
    const fired = e.sink.bufferedEvents().filter((x) => x.type === 'EXIT_FIRED');
    expect(fired.map((f) => f.data['reason'])).toEqual(['scale_out', 'trail_exit']);
    expect(fired[0]!.data).toMatchObject({ policy: 'scale_out', partShares: 5_000_000 });
  });

  it('a trail family takes the place of the default trailing stop', () => {
    // +20 % would activate the default trail; with trail_exit only the 5 % give-back counts
    const r = [entry, ...bids(11, [0.6, 0.58])];
    const dflt = runScenario(r, { strategies: [buyUpAt10()], finish: false });
    expect(dflt.trader.position(KEY)!.trailingActivatedAtMs).toBe(at(11));
    const e = runScenario(r, {
      strategies: [buyUpAt10()],
      config: policies({ trail_exit: {} }),
      finish: false,
    });
    expect(e.trader.position(KEY)!.trailingActivatedAtMs).toBeNull();
  });
});

describe('priority: protective stops before profit-taking (exit-policies.md §1.4)', () => {
  it('a gap through the profit lock and a trail records profit_lock', () => {
    // lock at +0.10 (0.60) → stop 0.51; the default trail is active too (HWM 0.60, stop 0.54)
    const r = [entry, up(11, 0.6), row(12, { upBid: 0.5, upAsk: 0.51 })];
    const e = runScenario(r, { strategies: [buyUpAt10()], config: policies({ profit_lock: {} }) });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'profit_lock', triggerBid: 0.5 });
  });

  it('the stop loss comes first, before any policy', () => {
    const r = [entry, up(11, 0.6), row(12, { upBid: 0.3, upAsk: 0.31 })];
    const e = runScenario(r, { strategies: [buyUpAt10()], config: policies({ profit_lock: {} }) });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss' });
  });
});

describe('policy state is part of the position snapshot (a restart resumes the same stops)', () => {
  it('survives a record round trip through JSON, as the database stores it', () => {
    const r = [entry, ...bids(11, [0.53, 0.55])];
    const e = runScenario(r, {
      strategies: [buyUpAt10()],
      config: policies({ trail_exit: {} }),
      finish: false,
    });
    const p = e.trader.position(KEY)!;
    expect(p.state).toBe('OPEN');
    expect(p.partialsDone).toEqual(['scale_out']);
    expect(p.policyState['trail_exit']).toMatchObject({ engaged: true, hwm: 550_000 });
    const stored = JSON.parse(JSON.stringify(toPositionRecord(p, at(13))));
    const back = positionFromRecord(stored);
    expect(back.policyState).toEqual(p.policyState);
    expect(back.partialsDone).toEqual(['scale_out']);
    expect(back.partials).toEqual(p.partials);
    expect(back.shares).toBe(5_000_000);
  });

  it('the default set leaves the record as before (no exit state)', () => {
    const e = runScenario([entry, up(11, 0.6)], { strategies: [buyUpAt10()], finish: false });
    expect(toPositionRecord(e.trader.position(KEY)!, at(11))).not.toHaveProperty('exitState');
  });
});

describe('EXIT_POLICIES per strategy', () => {
  it('runs each strategy its own set ("*" for the others)', () => {
    const cfg = {
      EXIT_POLICIES: JSON.stringify({ strategies: { s1: { policies: { trail_exit: {} } }, '*': {} } }),
    };
    const s2 = new ScriptedStrategy('s2', [[at(10), 'UP']]);
    const e = runScenario([entry, ...bids(11, [0.53, 0.55])], {
      strategies: [buyUpAt10(), s2],
      config: cfg,
      finish: false,
    });
    expect(e.trader.position(KEY)!.partialsDone).toEqual(['scale_out']);
    expect(e.trader.position('s2_BTC_15m_1766745000')!.partialsDone).toEqual([]);
  });
});
