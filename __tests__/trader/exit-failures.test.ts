import { at, eventTypes, runScenario, ScriptedStrategy, up } from '../helpers/scenario';
import { FailFirstSellsVenue, KillFirstBuysVenue, simOver, ThrowingSellVenue } from '../helpers/venues';

const KEY = 's1_BTC_15m_1766745000';
const buyUp = (): ScriptedStrategy[] => [new ScriptedStrategy('s1', [[at(10), 'UP']])];
const entry = up(10, 0.49);

describe('entry retries (issue #4: order ids unique per run)', () => {
  it('a killed entry followed by a new signal opens a position under a new key and order id', () => {
    let venue: KillFirstBuysVenue | undefined;
    const e = runScenario([up(10, 0.49), up(11, 0.49), up(12, 0.49)], {
      strategies: [
        new ScriptedStrategy('s1', [
          [at(10), 'UP'],
          [at(11), 'UP'],
        ]),
      ],
      venue: (books, clock) => (venue = new KillFirstBuysVenue(simOver(books, clock), 1)),
    });
    const ids = venue!.commands.filter((c) => c.side === 'BUY').map((c) => c.clientOrderId);
    expect(ids).toEqual([`${KEY}:entry`, `${KEY}_2:entry`]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(e.sink.trades.map((t) => t.positionKey)).toEqual([`${KEY}_2`]);
  });
});

describe('exit failures (design §7)', () => {
  it('a venue that throws on every sell: attempts counted, position not lost, exits never off', () => {
    let venue: ThrowingSellVenue | undefined;
    const rows = [entry];
    for (let s = 11; s < 890; s += 1) rows.push(up(s, 0.3));
    const e = runScenario(rows, {
      strategies: buyUp(),
      venue: (books, clock) => (venue = new ThrowingSellVenue(simOver(books, clock))),
    });
    // 3 rounds × 3 attempts (11–19 s), flagged for reconciliation; then one round of 3 attempts
    // every 17 s (EXIT_COOLDOWN_MS 15 s after each failed round, issue #8 point 3): rounds start
    // at 34, 51, …, 884 s = 51 more rounds
    expect(venue!.sellSubmits).toBe(9 + 51 * 3);
    expect(e.trader.stats).toMatchObject({
      exitSubmitErrors: 162,
      exitRoundsFailed: 54,
      reconcileRequired: 1,
      exitCooldowns: 52,
    });
    const [t] = e.sink.trades;
    expect(t).toMatchObject({
      positionKey: KEY,
      exitReason: 'window_expiry',
      exitAttempts: 162,
      exitPrice: 0,
    });
    expect(t!.shares).toBe(10);
    expect(eventTypes(e, KEY).filter((x) => x === 'RECONCILE_REQUIRED')).toHaveLength(1);
  });

  it('retries a killed exit EXIT_RETRY_DELAY_MS later on the virtual clock, repriced from the book', () => {
    let venue: FailFirstSellsVenue | undefined;
    const e = runScenario([entry, up(11, 0.36), up(11.5, 0.34), up(12, 0.33), up(13, 0.32)], {
      strategies: buyUp(),
      venue: (books, clock) => (venue = new FailFirstSellsVenue(simOver(books, clock), 1, 'killed', clock)),
    });
    expect(venue!.sells.map((c) => [c.createdMs, c.limitPrice])).toEqual([
      [at(11), 330_000],
      [at(12), 300_000],
    ]);
    expect(e.sink.trades[0]).toMatchObject({
      exitReason: 'stop_loss',
      exitAttempts: 2,
      exitPrice: 0.33,
      triggerBid: 0.36,
    });
  });

  it('a failed round puts the position back to OPEN; the next tick starts a new round', () => {
    let venue: FailFirstSellsVenue | undefined;
    const rows = [entry, up(11, 0.36), up(12, 0.36), up(13, 0.36), up(14, 0.36), up(15, 0.36)];
    const e = runScenario(rows, {
      strategies: buyUp(),
      venue: (books, clock) => (venue = new FailFirstSellsVenue(simOver(books, clock), 3, 'rejected', clock)),
    });
    expect(venue!.sells.map((c) => c.clientOrderId)).toEqual([
      `${KEY}:exit:1.1`,
      `${KEY}:exit:1.2`,
      `${KEY}:exit:1.3`,
      `${KEY}:exit:2.1`,
    ]);
    expect(eventTypes(e, KEY)).toContain('EXIT_ROUND_FAILED');
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'stop_loss', exitAttempts: 4 });
  });

  it('below the venue minimum: order_too_small, rules armed, resolved when no rule fires again', () => {
    // 1 USDC position, stop at bid 0.30: 2 shares × (0.30 − 0.03) = 0.54 USDC < 1 USDC
    const e = runScenario([entry, up(11, 0.3), up(899, 0.99)], {
      strategies: buyUp(),
      config: { POSITION_SIZE_USDC: 1 },
    });
    expect(e.trader.stats.orderTooSmall).toBe(1);
    expect(e.sink.trades[0]).toMatchObject({ exitReason: 'window_expiry', exitAttempts: 0, exitPrice: 1 });
  });

  it('a killed entry removes the position and writes no trade', () => {
    // size 1 share at the ask: 10 shares needed → killed
    const rows = [{ ...up(10, 0.49), upAskSize: 1_000_000 }];
    const e = runScenario(rows, { strategies: buyUp(), finish: false });
    expect(e.trader.stats.entriesKilled).toBe(1);
    expect(e.sink.trades).toHaveLength(0);
    expect(e.trader.position(KEY)!.state).toBe('CLOSED');
    expect(eventTypes(e, KEY)).toEqual(['SIGNAL', 'ENTRY_FAILED']);
  });
});

describe('unknown outcome (design §7)', () => {
  it('is never re-sent; the position stays EXITING and is flagged after POSITION_LOCK_TIMEOUT_MS', () => {
    const sells: string[] = [];
    const rows = [entry, up(11, 0.3)];
    for (let s = 12; s < 60; s += 1) rows.push(up(s, 0.3));
    const e = runScenario(rows, {
      strategies: buyUp(),
      finish: false,
      venue: (books, clock) => {
        const inner = simOver(books, clock);
        let listener: (ev: import('../../src/core/types').VenueEvent) => void = () => undefined;
        return {
          name: 'silent-sell',
          setListener: (l) => {
            listener = l;
            inner.setListener(l);
          },
          submit: (cmd) => {
            if (cmd.side === 'BUY') return inner.submit(cmd);
            sells.push(cmd.clientOrderId);
            listener({
              kind: 'unknown',
              clientOrderId: cmd.clientOrderId,
              tsMs: clock.now(),
              reason: 'timeout',
            });
          },
        };
      },
    });
    expect(sells).toEqual([`${KEY}:exit:1.1`]);
    expect(e.trader.position(KEY)!.state).toBe('EXITING');
    expect(e.trader.stats).toMatchObject({ exitsUnknown: 1, lockTimeouts: 1 });
    expect(eventTypes(e, KEY).filter((t) => t === 'LOCK_TIMEOUT')).toHaveLength(1);
  });
});
