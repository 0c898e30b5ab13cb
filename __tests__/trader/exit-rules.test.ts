import { peakPnlPct, trailingActive } from '../../src/trader/position';
import { at, eventTypes, row, runScenario, ScriptedStrategy, up } from '../helpers/scenario';

const KEY = 's1_BTC_15m_1766745000';
const buyUpAt0 = (): ScriptedStrategy => new ScriptedStrategy('s1', [[at(10), 'UP']]);

/** Entry at tick 10 s: UP ask 0.50 → entry price 0.50 (fees off). */
const entry = up(10, 0.49);

describe('stop loss (design §5.1)', () => {
  it('fires at −26 % and not at −20 %', () => {
    const e = runScenario([entry, up(11, 0.4), up(12, 0.37), up(13, 0.36)], { strategies: [buyUpAt0()] });
    const [t] = e.sink.trades;
    expect(e.sink.trades).toHaveLength(1);
    expect(t).toMatchObject({
      exitReason: 'stop_loss',
      triggerBid: 0.37,
      exitTimeMs: at(12),
      entryPrice: 0.5,
    });
  });

  it('does not fire at exactly the threshold (bid < round(entry × 0.75) is strict)', () => {
    // round(0.50 × 0.75) = 0.375: a bid of exactly 0.375 holds, 0.374 fires
    const e = runScenario([entry, row(11, { upBid: 0.375, upAsk: 0.385 })], { strategies: [buyUpAt0()] });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'window_expiry' });
    const f = runScenario([entry, row(11, { upBid: 0.374, upAsk: 0.385 })], { strategies: [buyUpAt0()] });
    expect(f.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', triggerBid: 0.374 });
  });

  it('fires once per position', () => {
    const e = runScenario([entry, up(11, 0.3), up(12, 0.2), up(13, 0.1)], { strategies: [buyUpAt0()] });
    expect(e.sink.trades).toHaveLength(1);
    expect(e.sink.trades[0]!.exitAttempts).toBe(1);
    expect(eventTypes(e, KEY).filter((t) => t === 'EXIT_FIRED')).toHaveLength(1);
  });

  it('is evaluated from the first tick after the entry fill, not on the entry tick', () => {
    // wide book on the entry tick: bid 0.30 is −40 % from the 0.50 entry
    const wide = row(10, { upBid: 0.3, upAsk: 0.5 });
    const e = runScenario([wide, up(11, 0.3)], { strategies: [buyUpAt0()] });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitTimeMs: at(11) });
  });
});

describe('trailing take-profit (design §5.2–5.4)', () => {
  it('activates at +20 % and sets the HWM', () => {
    const e = runScenario([entry, up(11, 0.6)], { strategies: [buyUpAt0()], finish: false });
    const p = e.trader.position(KEY)!;
    expect(trailingActive(p)).toBe(true);
    expect(p.trailingActivatedAtMs).toBe(at(11));
    expect(p.highWaterMark).toBe(600_000);
    expect(peakPnlPct(p)).toBeCloseTo(0.2, 10);
    expect(eventTypes(e, KEY)).toEqual(['SIGNAL', 'OPENED', 'HWM_UPDATE', 'TRAILING_ACTIVATED']);
  });

  it('does not activate below +15 %', () => {
    const e = runScenario([entry, up(11, 0.57)], { strategies: [buyUpAt0()], finish: false });
    expect(trailingActive(e.trader.position(KEY)!)).toBe(false);
  });

  it('exits 11 % below the HWM, not 8 % below', () => {
    const e = runScenario([entry, up(11, 0.7), up(12, 0.64), up(13, 0.62)], { strategies: [buyUpAt0()] });
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'trailing_stop',
      triggerBid: 0.62,
      highWaterMark: 0.7,
    });
    expect(e.sink.trades[0]!.peakPnlPct).toBeCloseTo(0.4, 6);
  });

  it('holds the +5 % profit floor when the HWM trail is lower', () => {
    // HWM 0.58 (+16 %): trail 0.522 < floor 0.525 → stop at the floor
    const e1 = runScenario([entry, up(11, 0.58), up(12, 0.53)], { strategies: [buyUpAt0()], finish: false });
    expect(e1.trader.position(KEY)!.state).toBe('OPEN');
    const e2 = runScenario([entry, up(11, 0.58), row(12, { upBid: 0.525, upAsk: 0.53 })], {
      strategies: [buyUpAt0()],
    });
    expect(e2.sink.trades[0]).toMatchObject({ exitReason: 'trailing_stop', triggerBid: 0.525 });
  });

  it('moves the HWM only past the update threshold', () => {
    const e = runScenario([entry, up(11, 0.6), row(12, { upBid: 0.6005, upAsk: 0.61 })], {
      strategies: [buyUpAt0()],
      finish: false,
    });
    expect(e.trader.position(KEY)!.highWaterMark).toBe(600_000);
  });
});

describe('EXITING and duplicate exits', () => {
  it('an EXITING position ignores ticks', () => {
    // 5 s of order latency: the sell is in flight while ticks keep coming
    // the entry arrives at 15 s; the stop fires at 16 s; the sell arrives at 21 s
    const rows = [
      entry,
      up(12, 0.49),
      up(15, 0.49),
      up(16, 0.36),
      up(17, 0.7),
      up(18, 0.2),
      up(19, 0.65),
      up(21, 0.35),
    ];
    const e = runScenario(rows, { strategies: [buyUpAt0()], config: { SIM_LATENCY_MS: 5000 } });
    const types = eventTypes(e, KEY);
    expect(types).toEqual(['SIGNAL', 'OPENED', 'EXIT_FIRED', 'CLOSED']);
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'stop_loss',
      triggerBid: 0.36,
      exitPrice: 0.35,
      entryTimeMs: at(15),
      exitTimeMs: at(21),
      exitAttempts: 1,
    });
  });

  it('1,000 oscillating ticks cause no duplicate exit', () => {
    const rows = [entry];
    for (let i = 0; i < 1000; i += 1) rows.push(up(11 + i * 0.5, i % 2 === 0 ? 0.36 : 0.7));
    for (const latency of [0, 3000]) {
      const e = runScenario(rows, { strategies: [buyUpAt0()], config: { SIM_LATENCY_MS: latency } });
      const sells = e.sink.bufferedOrders().filter((o) => o.side === 'SELL');
      expect(sells).toHaveLength(1);
      expect(e.sink.trades).toHaveLength(1);
      expect(eventTypes(e, KEY).filter((t) => t === 'CLOSED')).toHaveLength(1);
    }
  });

  it('five positions in one window all stop out', () => {
    const strategies = [1, 2, 3, 4, 5].map((i) => new ScriptedStrategy(`s${i}`, [[at(10), 'UP']]));
    const e = runScenario([entry, up(11, 0.45), up(12, 0.3)], { strategies });
    expect(e.sink.trades).toHaveLength(5);
    expect(e.sink.trades.every((t) => t.exitReason === 'stop_loss' && t.exitTimeMs === at(12))).toBe(true);
  });
});

describe('window expiry (design §5.5)', () => {
  it('holds to resolution and pays the winner by the last recorded mid', () => {
    const e = runScenario([entry, up(500, 0.8), up(899, 0.97)], { strategies: [buyUpAt0()] });
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'window_expiry',
      exitPrice: 1,
      exitTimeMs: at(900),
      triggerBid: null,
      exitAttempts: 0,
    });
    expect(e.sink.trades[0]!.proceedsUsdc).toBe(e.sink.trades[0]!.shares);
  });

  it('pays 0 to the loser', () => {
    const e = runScenario([entry, up(11, 0.45), up(899, 0.4)], {
      strategies: [buyUpAt0()],
      config: { STOP_LOSS_PCT: 0.9 },
    });
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'window_expiry',
      exitPrice: 0,
      proceedsUsdc: 0,
      pnlUsdc: -5,
    });
  });

  it('resolves when a tick of a later window arrives', () => {
    const next = { ...up(0, 0.5), windowEpoch: 1766745900, tsMs: 1766745900 * 1000 };
    const e = runScenario([entry, up(899, 0.9), next], { strategies: [buyUpAt0()], finish: false });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'window_expiry', exitPrice: 1 });
  });

  it('sells EXIT_BEFORE_END_MS before the end when configured', () => {
    const e = runScenario([entry, up(800, 0.52), up(861, 0.53)], {
      strategies: [buyUpAt0()],
      config: { EXIT_BEFORE_END_MS: 60_000 },
    });
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'window_expiry',
      triggerBid: 0.53,
      exitTimeMs: at(861),
      exitAttempts: 1,
    });
  });
});
