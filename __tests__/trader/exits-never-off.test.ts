/**
 * Exits that never switch off (issue #8 points 3 and 5): venue-side failures back off without
 * using attempts or rounds, exhausted rounds cool down instead of abandoning the position, and an
 * exit below the venue minimum keeps its rules armed.
 */
import { BookStore } from '../../src/book/book-store';
import type { FailureCause } from '../../src/core/types';
import { LiveTrader } from '../../src/trader/live-trader';
import { at, eventTypes, runScenario, ScriptedStrategy, testConfig, up } from '../helpers/scenario';
import { FailFirstSellsVenue, ScriptedSellsVenue, simOver, type ScriptedFailure } from '../helpers/venues';

const KEY = 's1_BTC_15m_1766745000';
const buyUp = (): ScriptedStrategy[] => [new ScriptedStrategy('s1', [[at(10), 'UP']])];
const entry = up(10, 0.49);
/** The entry, then bid `bid` every second from 11 s to `last` s. */
const flat = (bid: number, last: number) => {
  const rows = [entry];
  for (let s = 11; s <= last; s += 1) rows.push(up(s, bid));
  return rows;
};
const times = (cmds: readonly { createdMs: number }[]) => cmds.map((c) => (c.createdMs - at(0)) / 1000);

describe('venue-side exit failures back off and use no attempt or round (issue #8 point 3)', () => {
  it.each<FailureCause>(['venue_unavailable', 'rate_limited', 'settlement_pending'])(
    '%s: the stop stays armed, attempts 2 s, 4 s, 8 s… apart (capped at 30 s), all in round 1',
    (cause) => {
      let venue: ScriptedSellsVenue | undefined;
      const script: ScriptedFailure[] = Array.from({ length: 6 }, () => ({ kind: 'rejected', cause }));
      const e = runScenario(flat(0.3, 120), {
        strategies: buyUp(),
        venue: (books, clock) => (venue = new ScriptedSellsVenue(simOver(books, clock), script, clock)),
      });
      // back-off 2, 4, 8, 16, then 30 (32 capped) twice; the 7th attempt fills
      expect(times(venue!.sells)).toEqual([11, 13, 17, 25, 41, 71, 101]);
      expect(venue!.sells.map((c) => c.clientOrderId)).toEqual(
        [1, 2, 3, 4, 5, 6, 7].map((n) => `${KEY}:exit:1.${n}`),
      );
      expect(e.trader.stats).toMatchObject({ exitsDeferred: 6, exitRoundsFailed: 0, reconcileRequired: 0 });
      expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 0.3, exitAttempts: 7 });
      const failed = e.sink.bufferedEvents().filter((r) => r.type === 'EXIT_FAILED');
      expect(failed.map((r) => (r.data as { backoffMs: number }).backoffMs)).toEqual([
        2000, 4000, 8000, 16000, 30000, 30000,
      ]);
    },
  );

  it('a market failure between venue failures resets the back-off and counts one attempt', () => {
    let venue: ScriptedSellsVenue | undefined;
    const script: ScriptedFailure[] = [
      { kind: 'rejected', cause: 'venue_unavailable' },
      { kind: 'rejected', cause: 'venue_unavailable' },
      { kind: 'killed' },
      { kind: 'rejected', cause: 'rate_limited' },
    ];
    const e = runScenario(flat(0.3, 40), {
      strategies: buyUp(),
      venue: (books, clock) => (venue = new ScriptedSellsVenue(simOver(books, clock), script, clock)),
    });
    // 11 → +2 s → 13 → +4 s → 17 killed → +1 s (EXIT_RETRY_DELAY_MS) → 18 → +2 s → 20 fills
    expect(times(venue!.sells)).toEqual([11, 13, 17, 18, 20]);
    expect(e.trader.stats).toMatchObject({ exitsDeferred: 3, exitsKilled: 1, exitRoundsFailed: 0 });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitAttempts: 5 });
  });

  it('account_setup: no round used; the next attempt waits the longest back-off (30 s)', () => {
    let venue: ScriptedSellsVenue | undefined;
    const e = runScenario(flat(0.3, 60), {
      strategies: buyUp(),
      finish: false,
      venue: (books, clock) =>
        (venue = new ScriptedSellsVenue(
          simOver(books, clock),
          [{ kind: 'rejected', cause: 'account_setup' }],
          clock,
        )),
    });
    expect(times(venue!.sells)).toEqual([11, 41]);
    expect(e.trader.stats).toMatchObject({ exitRoundsFailed: 0, exitsDeferred: 1 });
    expect(e.trader.position(KEY)!.state).toBe('CLOSED');
  });

  it('account_setup: EXITING with no order in flight until the back-off ends', () => {
    const e = runScenario(flat(0.3, 30), {
      strategies: buyUp(),
      finish: false,
      venue: (books, clock) =>
        new ScriptedSellsVenue(simOver(books, clock), [{ kind: 'rejected', cause: 'account_setup' }], clock),
    });
    const p = e.trader.position(KEY)!;
    expect(p).toMatchObject({ state: 'EXITING', openOrderId: null, exitRounds: 1, roundFailures: 0 });
    expect(p.retryAtMs).toBe(at(41));
  });
});

describe('market failures: exhausted rounds cool down, never abandon the position (issue #8 point 3)', () => {
  it('after MAX_EXIT_ROUNDS failed rounds: RECONCILE_REQUIRED, OPEN, and the stop fires again after EXIT_COOLDOWN_MS', () => {
    let venue: FailFirstSellsVenue | undefined;
    const e = runScenario(flat(0.3, 60), {
      strategies: buyUp(),
      venue: (books, clock) => (venue = new FailFirstSellsVenue(simOver(books, clock), 9, 'killed', clock)),
    });
    // rounds at 11, 14, 17 (3 attempts 1 s apart), the third fails at 19: cooldown to 34
    expect(times(venue!.sells)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 34]);
    expect(venue!.sells.at(-1)!.clientOrderId).toBe(`${KEY}:exit:4.1`);
    expect(e.trader.stats).toMatchObject({ exitRoundsFailed: 3, reconcileRequired: 1, exitCooldowns: 1 });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitPrice: 0.3, exitAttempts: 10 });
    const types = eventTypes(e, KEY);
    expect(types).toContain('RECONCILE_REQUIRED');
    expect(types).toContain('EXIT_COOLDOWN');
    expect(types).not.toContain('HOLD_TO_RESOLUTION');
    const cool = e.sink.bufferedEvents().find((r) => r.type === 'EXIT_COOLDOWN')!;
    expect(cool.data).toMatchObject({ failedRounds: 3, cooldownMs: 15000, untilMs: at(34) });
  });

  it('each further failed round waits another cooldown; RECONCILE_REQUIRED is counted once', () => {
    let venue: FailFirstSellsVenue | undefined;
    const e = runScenario(flat(0.3, 80), {
      strategies: buyUp(),
      venue: (books, clock) => (venue = new FailFirstSellsVenue(simOver(books, clock), 12, 'killed', clock)),
    });
    const firsts = venue!.sells.filter((c) => c.clientOrderId.endsWith('.1'));
    expect(times(firsts)).toEqual([11, 14, 17, 34, 51]);
    expect(e.trader.stats).toMatchObject({ exitRoundsFailed: 4, reconcileRequired: 1, exitCooldowns: 2 });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitAttempts: 13 });
  });

  it('EXIT_COOLDOWN_MS is a setting', () => {
    let venue: FailFirstSellsVenue | undefined;
    runScenario(flat(0.3, 40), {
      strategies: buyUp(),
      config: { EXIT_COOLDOWN_MS: 5000, MAX_EXIT_ROUNDS: 1 },
      venue: (books, clock) => (venue = new FailFirstSellsVenue(simOver(books, clock), 3, 'killed', clock)),
    });
    expect(times(venue!.sells)).toEqual([11, 12, 13, 18]);
  });

  it('a reversal is blocked while the cooldown runs', () => {
    const rows = flat(0.3, 25);
    const e = runScenario(rows, {
      strategies: [
        new ScriptedStrategy('s1', [[at(10), 'UP']]),
        new ScriptedStrategy('s2', [[at(22), 'DOWN']]),
      ],
      venue: (books, clock) => new FailFirstSellsVenue(simOver(books, clock), 9, 'killed', clock),
    });
    expect(e.trader.stats.reversalsBlocked).toMatchObject({ blocked_exit_cooldown: 1 });
  });
});

describe('exits below the venue minimum keep their rules armed (issue #8 point 5)', () => {
  it('a stop that is too small at a gap sells once the bid recovers; ORDER_TOO_SMALL once', () => {
    // 3 USDC at 0.50 = 6 shares; bid 0.10 → 6 × 0.07 = 0.42 < 1; bid 0.30 → 6 × 0.27 = 1.62
    const rows = [entry, up(11, 0.1), up(12, 0.1), up(13, 0.12), up(14, 0.11), up(15, 0.3), up(16, 0.3)];
    const e = runScenario(rows, { strategies: buyUp(), config: { POSITION_SIZE_USDC: 3 } });
    expect(e.trader.stats.orderTooSmall).toBe(1);
    expect(eventTypes(e, KEY).filter((t) => t === 'ORDER_TOO_SMALL')).toHaveLength(1);
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'stop_loss',
      exitTimeMs: at(15),
      exitPrice: 0.3,
      triggerBid: 0.3,
      exitAttempts: 1,
    });
  });

  it('a retry that became too small ends the round; the rules fire again and sell later', () => {
    // killed at bid 0.30 (1.62 USDC); next tick 0.10 (too small: the round ends); 0.30 again: sold
    const rows = [entry, up(11, 0.3), up(12, 0.1), up(13, 0.1), up(14, 0.3)];
    const e = runScenario(rows, {
      strategies: buyUp(),
      config: { POSITION_SIZE_USDC: 3 },
      venue: (books, clock) => new FailFirstSellsVenue(simOver(books, clock), 1, 'killed', clock),
    });
    expect(e.trader.stats).toMatchObject({ orderTooSmall: 1, exitRoundsFailed: 1, reconcileRequired: 0 });
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitTimeMs: at(14), exitAttempts: 2 });
  });
});

describe('onSubmitError takes a cause (issue #8 point 3)', () => {
  it('venue_unavailable: the exit backs off without using an attempt; without a cause it uses one', () => {
    for (const cause of ['venue_unavailable', undefined] as const) {
      const books = new BookStore();
      const trader = new LiveTrader(testConfig(), [new ScriptedStrategy('s1', [[at(10), 'UP']])]);
      const [buy] = trader.onTick(books.applyRow(entry));
      trader.onVenueEvent(
        {
          kind: 'filled',
          clientOrderId: buy!.clientOrderId,
          tsMs: at(10),
          fills: [],
          shares: 10_000_000,
          notional: 5_000_000,
          feeUsdc: 0,
          feeShares: 0,
        },
        at(10),
      );
      const [sell] = trader.onTick(books.applyRow(up(11, 0.3)));
      trader.onSubmitError(sell!, new Error('journal not written'), at(11), cause);
      const p = trader.position(KEY)!;
      if (cause === undefined) {
        expect(p).toMatchObject({ state: 'EXITING', roundFailures: 1, retryAtMs: at(12) });
      } else {
        expect(p).toMatchObject({ state: 'EXITING', roundFailures: 0, retryAtMs: at(13) });
        expect(trader.stats.exitsDeferred).toBe(1);
      }
    }
  });
});
