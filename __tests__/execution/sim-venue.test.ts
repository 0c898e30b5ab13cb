import { BookStore } from '../../src/book/book-store';
import { VirtualClock } from '../../src/core/clock';
import type { OrderCommand, VenueEvent } from '../../src/core/types';
import { SimVenue } from '../../src/execution/sim-venue';
import { up } from '../helpers/scenario';

function setup(latencyMs = 0) {
  const books = new BookStore();
  const clock = new VirtualClock(0);
  const venue = new SimVenue({
    bookOf: (id) => books.find(id),
    clock,
    latencyMs,
    fee: { rate: 0, exponent: 1 },
    minNotional: 1_000_000,
  });
  const events: VenueEvent[] = [];
  venue.setListener((e) => events.push(e));
  const tick = books.applyRow(up(0, 0.49));
  const base = {
    positionKey: 'k',
    window: tick.window,
    tokenId: tick.up.tokenId,
    tif: 'FOK' as const,
    createdMs: 0,
  };
  const buy = (id: string, limitPrice: number, notional: number): OrderCommand => ({
    ...base,
    clientOrderId: id,
    purpose: 'entry',
    side: 'BUY',
    limitPrice,
    notional,
  });
  const sell = (id: string, limitPrice: number, shares: number): OrderCommand => ({
    ...base,
    clientOrderId: id,
    purpose: 'exit',
    side: 'SELL',
    limitPrice,
    shares,
  });
  return { books, clock, venue, events, buy, sell, tick };
}

describe('simulated venue', () => {
  it('rejects what the real venue rejects', () => {
    const { venue, events, buy, sell, books } = setup();
    venue.submit(buy('a', 505_000, 5_000_000)); // off the 0.01 tick
    venue.submit(buy('b', 510_000, 5_001_000)); // notional with 3 decimals
    venue.submit(buy('c', 510_000, 900_000)); // below 1 USDC
    venue.submit(sell('d', 400_000, 5_000_000)); // nothing held
    venue.submit({ ...buy('e', 510_000, 5_000_000), tokenId: '123' }); // unknown token
    venue.submit(buy('f', 1_000_000, 5_000_000)); // price above 1 − tick
    expect(events.map((e) => e.kind)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(books.find('123')).toBeUndefined();
  });

  it('fills, tracks the balance, and makes trade ids and duplicates deterministic', () => {
    const { venue, events, buy, sell, tick } = setup();
    venue.submit(buy('a', 510_000, 5_000_000));
    expect(venue.balance(tick.up.tokenId)).toBe(10_000_000);
    venue.submit(buy('a', 510_000, 5_000_000));
    expect(events[1]).toMatchObject({ kind: 'rejected', reason: 'duplicate client order id' });
    venue.submit(sell('s', 460_000, 10_000_000));
    expect(events[2]).toMatchObject({ kind: 'filled', notional: 4_900_000 });
    expect(venue.balance(tick.up.tokenId)).toBe(0);
    expect(events.flatMap((e) => (e.kind === 'filled' ? e.fills.map((f) => f.tradeId) : []))).toEqual([
      'sim-1',
      'sim-2',
    ]);
  });

  it('with latency, fills against the book as it is when the order arrives', () => {
    const { venue, events, buy, books, clock } = setup(1000);
    venue.submit(buy('a', 510_000, 5_000_000));
    expect(events).toHaveLength(0);
    books.applyRow(up(0.5, 0.6)); // ask moves to 0.61 before arrival
    clock.advanceTo(1000);
    clock.runDue(1000, true);
    expect(events[0]).toMatchObject({ kind: 'killed', tsMs: 1000 });
  });
});
