/**
 * Flatten as a mode (issue #8 point 13), the lock timeout of a PENDING entry (point 6) and the
 * settling calls the live session makes for it, and a restored EXITING position resuming its round.
 */
import { BookStore } from '../../src/book/book-store';
import type { OrderCommand, TickRow } from '../../src/core/types';
import type { PositionRecord } from '../../src/persistence/records';
import { LiveTrader } from '../../src/trader/live-trader';
import { positionFromRecord } from '../../src/trader/position';
import { at, eventTypes, row, runScenario, ScriptedStrategy, testConfig, up } from '../helpers/scenario';
import { FailFirstSellsVenue, SilentBuysVenue, simOver } from '../helpers/venues';

const KEY = 's1_BTC_15m_1766745000';
const entry = up(10, 0.49);
const buyUp = (): ScriptedStrategy[] => [new ScriptedStrategy('s1', [[at(10), 'UP']])];
const times = (cmds: readonly { createdMs: number }[]) => cmds.map((c) => (c.createdMs - at(0)) / 1000);

describe('flatten keeps working until every position is closed (issue #8 point 13)', () => {
  it('sells a position whose entry fills after flatten was turned on', () => {
    const e = runScenario([entry, up(11, 0.49)], {
      strategies: buyUp(),
      config: { SIM_LATENCY_MS: 3000 },
      finish: false,
    });
    e.flatten(); // at 11 s: the entry is still PENDING (it fills at 13 s, after that tick)
    expect(e.trader.position(KEY)!.state).toBe('PENDING');
    for (let s = 12; s <= 20; s += 1) e.step(up(s, 0.49));
    e.finish();
    // sold on the tick after the fill (14 s), filled 3 s later
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'manual', exitTimeMs: at(17), exitPrice: 0.49 });
  });

  it('sells again after a failed round, and blocks new entries while on', () => {
    let venue: FailFirstSellsVenue | undefined;
    const e = runScenario([entry, up(11, 0.49)], {
      strategies: [
        new ScriptedStrategy('s1', [[at(10), 'UP']]),
        new ScriptedStrategy('s2', [[at(15), 'UP']]),
      ],
      finish: false,
      venue: (books, clock) => (venue = new FailFirstSellsVenue(simOver(books, clock), 3, 'killed', clock)),
    });
    e.flatten();
    for (let s = 12; s <= 20; s += 1) e.step(up(s, 0.49));
    e.finish();
    // round 1 at 11, 12, 13 killed; OPEN again; flatten sells on the next tick
    expect(times(venue!.sells)).toEqual([11, 12, 13, 14]);
    expect(e.sink.trades).toHaveLength(1);
    expect(e.sink.trades[0]).toMatchObject({ positionKey: KEY, exitReason: 'manual', exitTimeMs: at(14) });
    expect(e.trader.stats.entriesBlocked).toEqual({ flatten: 1 });
  });

  it('journals why a position is held (no bid) once, and sells when the bid returns', () => {
    const noBid = (s: number): TickRow => row(s, { upBid: null, upAsk: 0.5 });
    const e = runScenario([entry, noBid(11)], { strategies: buyUp(), finish: false });
    expect(e.trader.flattenAll(at(11))).toEqual([]);
    for (const s of [12, 13, 14]) e.step(noBid(s));
    e.step(up(15, 0.45));
    e.finish();
    expect(eventTypes(e, KEY).filter((t) => t === 'FLATTEN_HELD')).toHaveLength(1);
    expect(e.trader.stats.flattenHeld).toBe(1);
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'manual', exitTimeMs: at(15) });
  });

  it('setFlatten(false) ends the mode: entries and exit rules resume', () => {
    const e = runScenario([entry], {
      strategies: [
        new ScriptedStrategy('s1', [[at(10), 'UP']]),
        new ScriptedStrategy('s2', [[at(12), 'UP']]),
      ],
      finish: false,
      venue: (books, clock) => new FailFirstSellsVenue(simOver(books, clock), 0, 'killed', clock),
    });
    e.trader.setFlatten(true); // from the next tick
    expect(e.trader.flattenOn).toBe(true);
    e.trader.setFlatten(false);
    e.step(up(11, 0.49));
    e.step(up(12, 0.49));
    e.finish();
    expect(e.trader.stats.entriesBlocked).toEqual({});
    expect(e.sink.trades.map((t) => t.exitReason)).toEqual(['window_expiry', 'window_expiry']);
  });
});

describe('a PENDING entry has a lock timeout like an exit (issue #8 point 6)', () => {
  const silent = (last: number, finish = false) => {
    let venue: SilentBuysVenue | undefined;
    const rows = [entry];
    for (let s = 11; s <= last; s += 1) rows.push(up(s, 0.49));
    const e = runScenario(rows, {
      strategies: buyUp(),
      finish,
      venue: (books, clock) => (venue = new SilentBuysVenue(simOver(books, clock), 1, clock)),
    });
    return { e, venue: venue! };
  };

  it('an unanswered entry is flagged once, POSITION_LOCK_TIMEOUT_MS after it was sent', () => {
    const { e } = silent(60);
    const p = e.trader.position(KEY)!;
    expect(p).toMatchObject({ state: 'PENDING', lockTimedOut: true, openOrderId: `${KEY}:entry` });
    expect(e.trader.stats.lockTimeouts).toBe(1);
    const rows = e.sink.bufferedEvents().filter((r) => r.type === 'LOCK_TIMEOUT');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tsMs: at(41), data: { purpose: 'entry', sentMs: at(10) } });
  });

  it('checkLockTimeouts flags it without ticks (a window that went quiet)', () => {
    const { e } = silent(12);
    expect(e.trader.checkLockTimeouts(at(40))).toBe(0);
    expect(e.trader.checkLockTimeouts(at(41))).toBe(1);
    expect(e.trader.checkLockTimeouts(at(99))).toBe(0);
  });

  it('settled from the chain with no tokens: a failed entry, never a trade', () => {
    const { e } = silent(45);
    expect(e.trader.correct({ kind: 'close', key: KEY, audit: { kind: 'missing' } }, at(46)).applied).toBe(
      true,
    );
    expect(e.trader.position(KEY)?.state ?? 'CLOSED').toBe('CLOSED');
    e.finish();
    expect(e.sink.trades).toHaveLength(0);
    expect(e.trader.stats.entriesRejected).toBe(1);
  });

  it('settled from the chain with tokens: OPEN at the entry notional, exit rules then run', () => {
    const { e } = silent(45);
    const c = {
      kind: 'confirm_entry',
      key: KEY,
      shares: 9_900_000,
      audit: { kind: 'entry_confirmed' },
    } as const;
    expect(e.trader.correct(c, at(46)).applied).toBe(true);
    expect(e.trader.position(KEY)).toMatchObject({
      state: 'OPEN',
      shares: 9_900_000,
      costUsdc: 5_000_000,
      entryPrice: 505_051,
      lockTimedOut: false,
      openOrderId: null,
    });
    e.step(up(47, 0.3));
    const fired = e.sink.bufferedEvents().find((r) => r.type === 'EXIT_FIRED');
    expect(fired).toMatchObject({ positionKey: KEY, tsMs: at(47), data: { reason: 'stop_loss' } });
    expect(e.trader.correct({ kind: 'confirm_entry', key: KEY, shares: 1, audit: {} }, at(48)).applied).toBe(
      false,
    );
  });
});

describe('restart: an EXITING position with no order in flight resumes its round', () => {
  it('sends the next attempt on the first tick, under a round number never used before', () => {
    const books = new BookStore();
    const trader = new LiveTrader(testConfig(), []);
    const first = books.applyRow(up(20, 0.3));
    const rec: PositionRecord = {
      positionKey: KEY,
      strategy: 's1',
      crypto: 'BTC',
      windowSec: 900,
      windowEpoch: 1766745000,
      side: 'UP',
      tokenId: first.up.tokenId,
      state: 'EXITING',
      entryTimeMs: at(10),
      entryPrice: 500_000,
      shares: 10_000_000,
      costUsdc: 5_000_000,
      entryFeeUsdc: 0,
      highWaterMark: 500_000,
      trailingActivatedAtMs: null,
      exitReason: 'stop_loss',
      exitTimeMs: null,
      exitPrice: null,
      proceedsUsdc: null,
      exitFeeUsdc: null,
      pnlUsdc: null,
      exitAttempts: 1,
      updatedMs: at(12),
    };
    trader.restore(positionFromRecord(rec), null, at(20));
    const cmds: OrderCommand[] = trader.onTick(books.applyRow(up(21, 0.3)));
    expect(cmds.map((c) => [c.side, c.clientOrderId, c.limitPrice])).toEqual([
      ['SELL', `${KEY}:exit:2.1`, 270_000],
    ]);
    expect(trader.position(KEY)).toMatchObject({ state: 'EXITING', openOrderId: `${KEY}:exit:2.1` });
  });
});
