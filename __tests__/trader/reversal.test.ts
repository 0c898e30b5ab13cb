import { at, eventTypes, runScenario, ScriptedStrategy, up } from '../helpers/scenario';
import { FailFirstSellsVenue, simOver } from '../helpers/venues';

const HOLDER = 'a_BTC_15m_1766745000';
/** `a` buys UP at 10 s (entry 0.50); `b` signals DOWN at 20 s. */
const strategies = (): ScriptedStrategy[] => [
  new ScriptedStrategy('a', [[at(10), 'UP']]),
  new ScriptedStrategy('b', [[at(20), 'DOWN']]),
];
const entry = up(10, 0.49);

describe('reversal (design §5)', () => {
  it('is blocked when the open position is losing', () => {
    const e = runScenario([entry, up(20, 0.45)], { strategies: strategies(), finish: false });
    expect(e.trader.position(HOLDER)!.state).toBe('OPEN');
    expect(e.trader.position('b_BTC_15m_1766745000')).toBeUndefined();
    expect(e.trader.stats.reversalsBlocked).toEqual({ blocked_losing: 1 });
    expect(eventTypes(e, HOLDER)).toContain('REVERSAL_BLOCKED');
  });

  it('is blocked below +10 % profit', () => {
    const e = runScenario([entry, up(20, 0.54)], { strategies: strategies(), finish: false });
    expect(e.trader.position(HOLDER)!.state).toBe('OPEN');
    expect(e.trader.stats.reversalsBlocked).toEqual({ blocked_insufficient_profit: 1 });
  });

  it('with BLOCK_IF_LOSING=false a losing position is still blocked, as insufficient profit', () => {
    const e = runScenario([entry, up(20, 0.45)], {
      strategies: strategies(),
      config: { BLOCK_IF_LOSING: false },
      finish: false,
    });
    expect(e.trader.stats.reversalsBlocked).toEqual({ blocked_insufficient_profit: 1 });
  });

  it('is executed at +20 % and the new entry is allowed', () => {
    // trailing activates at 0.60 on the same tick, but the stop (0.54) is below the bid
    const e = runScenario([entry, up(20, 0.6), up(21, 0.6)], { strategies: strategies(), finish: false });
    const holder = e.trader.position(HOLDER)!;
    expect(holder).toMatchObject({ state: 'CLOSED', exitReason: 'reversal', triggerBid: 600_000 });
    const b = e.trader.position('b_BTC_15m_1766745000')!;
    expect(b).toMatchObject({ state: 'OPEN', side: 'DOWN' });
    // DOWN ask is 1 − UP bid = 0.40
    expect(b.entryPrice).toBe(400_000);
    expect(e.trader.stats.reversalsExecuted).toBe(1);
  });

  it('lets the holding strategy itself reverse (a second position key in the window)', () => {
    const s = [
      new ScriptedStrategy('a', [
        [at(10), 'UP'],
        [at(20), 'DOWN'],
      ]),
    ];
    const e = runScenario([entry, up(20, 0.6)], { strategies: s, finish: false });
    expect(e.trader.position(HOLDER)!.exitReason).toBe('reversal');
    expect(e.trader.position('a_BTC_15m_1766745000_2')).toMatchObject({ state: 'OPEN', side: 'DOWN' });
  });

  it('blocks the entry when the reversal exit fails', () => {
    const e = runScenario([entry, up(20, 0.6)], {
      strategies: strategies(),
      config: { MAX_EXIT_ATTEMPTS: 1 },
      venue: (books, clock) => new FailFirstSellsVenue(simOver(books, clock), 1, 'killed', clock),
      finish: false,
    });
    expect(e.trader.position(HOLDER)!.state).toBe('OPEN');
    expect(e.trader.position('b_BTC_15m_1766745000')).toBeUndefined();
    expect(e.trader.stats.reversalsBlocked).toEqual({ blocked_exit_failed: 1 });
  });

  it('ignores a repeat signal for the side already held', () => {
    const s = [
      new ScriptedStrategy('a', [
        [at(10), 'UP'],
        [at(20), 'UP'],
      ]),
    ];
    const e = runScenario([entry, up(20, 0.6)], { strategies: s, finish: false });
    expect(e.trader.stats.signalsIgnored).toBe(1);
    expect(e.trader.openPositions()).toHaveLength(1);
  });
});
