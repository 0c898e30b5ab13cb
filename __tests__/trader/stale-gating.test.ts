import { BookStore } from '../../src/book/book-store';
import { VirtualClock } from '../../src/core/clock';
import type { OrderCommand, TickRow, VenueEvent } from '../../src/core/types';
import { LiveTrader } from '../../src/trader/live-trader';
import { at, ScriptedStrategy, testConfig, up } from '../helpers/scenario';
import { simOver } from '../helpers/venues';

/** A trader on the simulated venue, fed ticks whose UP book may be marked stale (issue #3). */
function harness(script: ReadonlyArray<readonly [number, 'UP' | 'DOWN']>) {
  const books = new BookStore();
  const clock = new VirtualClock(0);
  const venue = simOver(books, clock);
  const events: VenueEvent[] = [];
  venue.setListener((e) => events.push(e));
  const trader = new LiveTrader(testConfig(), [new ScriptedStrategy('s1', script)]);
  const sent: OrderCommand[] = [];
  const drain = (first: OrderCommand[]): void => {
    let cmds = first;
    while (cmds.length > 0 || events.length > 0) {
      for (const c of cmds) {
        sent.push(c);
        venue.submit(c);
      }
      cmds = [];
      while (events.length > 0) cmds.push(...trader.onVenueEvent(events.shift()!, clock.now()));
    }
  };
  const feed = (row: TickRow, staleUp = false): void => {
    clock.advanceTo(row.tsMs);
    const t = books.applyRow(row);
    drain(trader.onTick(staleUp ? { ...t, up: { ...t.up, stale: true } } : t));
  };
  return { trader, sent, feed, finish: (ms: number) => drain(trader.finish(ms)) };
}

describe('orders blocked while a book is stale (issue #3)', () => {
  it('skips an entry on a stale token and counts it', () => {
    const h = harness([[at(10), 'UP']]);
    h.feed(up(10, 0.49), true);
    expect(h.sent).toHaveLength(0);
    expect(h.trader.stats.ordersBlockedStale).toBe(1);
    expect(h.trader.openPositions()).toHaveLength(0);
  });

  it('defers an exit until the book is fresh again, then sends it repriced', () => {
    const h = harness([[at(10), 'UP']]);
    h.feed(up(10, 0.49));
    h.feed(up(11, 0.3), true);
    h.feed(up(12, 0.29), true);
    expect(h.sent.filter((c) => c.side === 'SELL')).toHaveLength(0);
    expect(h.trader.stats.ordersBlockedStale).toBe(2);
    h.feed(up(13, 0.28));
    const sells = h.sent.filter((c) => c.side === 'SELL');
    expect(sells).toHaveLength(1);
    expect(sells[0]!.limitPrice).toBe(250_000);
    expect(h.trader.position('s1_BTC_15m_1766745000')).toMatchObject({
      state: 'CLOSED',
      exitReason: 'stop_loss',
      triggerBid: 280_000,
    });
  });

  it('still resolves positions at the window end while stale', () => {
    const h = harness([[at(10), 'UP']]);
    h.feed(up(10, 0.49));
    h.feed(up(899, 0.98), true);
    h.finish(at(900));
    expect(h.trader.openPositions()).toHaveLength(0);
    expect(h.sent.filter((c) => c.side === 'SELL')).toHaveLength(0);
  });
});
