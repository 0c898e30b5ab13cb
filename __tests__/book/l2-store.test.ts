import { readFileSync } from 'node:fs';
import path from 'node:path';
import { L2Store } from '../../src/book/l2-store';
import { bookProblem, OrderBook } from '../../src/book/order-book';
import { parseMarketFrame } from '../../src/feed/market-parse';
import type { MarketEvent } from '../../src/core/market-events';

const BURST = path.resolve(
  __dirname,
  '../../../shared/data/fixtures/nautilus-trader/ws_market_price_change_crossing_burst.json',
);
const UP = '76670567130917723816490572615540605537878462672464291990940067659127658071111';
const DOWN = '54179564009642723353355316176091991063553046330768303687769988635499280029688';
const frames = (JSON.parse(readFileSync(BURST, 'utf8')) as unknown[]).map((f) => JSON.stringify(f));
const eventsOf = (text: string): MarketEvent[] => parseMarketFrame(text).events;

const book = (tokenId: string, bids: [number, number][], asks: [number, number][]): MarketEvent => ({
  kind: 'book',
  tokenId,
  conditionId: '0x',
  bids: bids.map(([price, size]) => ({ price, size })),
  asks: asks.map(([price, size]) => ({ price, size })),
  tickSize: null,
  venueTsMs: 1,
  hash: null,
});
const level = (tokenId: string, side: 'bid' | 'ask', price: number, size: number): MarketEvent => ({
  kind: 'level',
  tokenId,
  conditionId: '0x',
  side,
  price,
  size,
  bestBid: null,
  bestAsk: null,
  venueTsMs: 1,
});

describe('OrderBook additions', () => {
  test('applyLevel inserts, replaces and deletes keeping best-first order', () => {
    const b = new OrderBook('t');
    b.applyLevel('bid', 300, 1);
    b.applyLevel('bid', 500, 2);
    b.applyLevel('bid', 400, 3);
    b.applyLevel('bid', 400, 9);
    b.applyLevel('ask', 700, 1);
    b.applyLevel('ask', 600, 1);
    b.applyLevel('ask', 650, 0); // delete of a missing level: no-op
    expect(b.bids).toEqual([
      { price: 500, size: 2 },
      { price: 400, size: 9 },
      { price: 300, size: 1 },
    ]);
    b.applyLevel('bid', 500, 0);
    expect(b.bestBid).toBe(400);
    expect(b.asks.map((l) => l.price)).toEqual([600, 700]);
    b.clear();
    expect([b.bids, b.asks]).toEqual([[], []]);
  });

  test('applyLevel works after setTop left a frozen empty side; replace copies its input', () => {
    const b = new OrderBook('t');
    b.setTop(null, null, null, null);
    b.applyLevel('ask', 600, 5);
    expect(b.asks).toEqual([{ price: 600, size: 5 }]);
    const bids = [{ price: 500, size: 1 }];
    b.replace(bids, []);
    b.applyLevel('bid', 500, 7);
    expect(bids).toEqual([{ price: 500, size: 1 }]);
  });

  test('bookProblem', () => {
    const l = (price: number, size = 1) => ({ price, size });
    expect(bookProblem([l(400)], [l(500)])).toBeNull();
    expect(bookProblem([], [])).toBeNull();
    expect(bookProblem([l(500)], [l(500)])).toBe('crossed');
    expect(bookProblem([l(600)], [l(500)])).toBe('crossed');
    expect(bookProblem([l(1_000_001)], [])).toBe('price out of range');
    expect(bookProblem([], [l(-1)])).toBe('price out of range');
    expect(bookProblem([], [l(1, -5)])).toBe('negative size');
    expect(bookProblem([l(300), l(400)], [])).toBe('unsorted');
    expect(bookProblem([], [l(400), l(400)])).toBe('unsorted');
  });
});

describe('L2Store', () => {
  test('unknown tokens, levels before the first snapshot and passthrough events are counted', () => {
    const s = new L2Store();
    s.subscribe(['a']);
    expect(s.apply(level('zzz', 'bid', 1, 1), 0)).toMatchObject({ changed: false, outcome: 'ignored' });
    expect(s.apply(level('a', 'bid', 1, 1), 0)).toMatchObject({ changed: false, reason: 'no snapshot yet' });
    s.apply({ kind: 'best_bid_ask', tokenId: 'a', conditionId: '', bestBid: 1, bestAsk: 2, venueTsMs: 0 }, 0);
    expect(s.counters).toMatchObject({ unknownToken: 1, levelsBeforeSnapshot: 1, passthrough: 1 });
    expect(s.needsSnapshot('a')).toBe(true);
    expect(s.book('zzz')).toBeUndefined();
  });

  test('crossed or out-of-range snapshot rejected and book unchanged', () => {
    const s = new L2Store();
    s.subscribe(['a']);
    s.apply(book('a', [[400_000, 1]], [[500_000, 1]]), 1);
    expect(s.apply(book('a', [[600_000, 1]], [[500_000, 1]]), 2)).toMatchObject({
      outcome: 'rejected',
      reason: 'crossed',
    });
    expect(s.apply(book('a', [[1_200_000, 1]], []), 3)).toMatchObject({ reason: 'price out of range' });
    expect(s.book('a')?.top()).toMatchObject({ bid: 400_000, ask: 500_000 });
    expect(s.counters).toMatchObject({ snapshots: 1, rejectedSnapshots: 2 });
    expect(s.lastChangeMs('a')).toBe(1);
  });

  test('a crossing level is rejected (reject policy) and flags needsSnapshot; a fresh book clears it', () => {
    const s = new L2Store();
    s.subscribe(['a']);
    s.apply(book('a', [[400_000, 1]], [[500_000, 1]]), 1);
    expect(s.needsSnapshot('a')).toBe(false);
    expect(s.apply(level('a', 'bid', 500_000, 5), 2)).toMatchObject({ changed: false, reason: 'crossed' });
    expect(s.book('a')?.top()).toMatchObject({ bid: 400_000, ask: 500_000 });
    expect(s.needsSnapshot('a')).toBe(true);
    expect(s.apply(level('a', 'ask', 500_000, 0), 3).changed).toBe(true); // deletes never cross
    s.apply(book('a', [[400_000, 1]], []), 4);
    expect(s.needsSnapshot('a')).toBe(false);
    expect(s.counters.crossedLevels).toBe(1);
  });

  test('evict policy applies the crossing level and drops the crossed opposite levels', () => {
    const s = new L2Store({ crossPolicy: 'evict' });
    s.subscribe(['a']);
    s.apply(
      book(
        'a',
        [
          [450_000, 1],
          [400_000, 1],
          [300_000, 1],
        ],
        [[500_000, 1]],
      ),
      1,
    );
    s.apply(level('a', 'ask', 400_000, 2), 2);
    expect(s.book('a')?.bids).toEqual([{ price: 300_000, size: 1 }]);
    expect(s.book('a')?.asks.map((l) => l.price)).toEqual([400_000, 500_000]);
    expect(s.needsSnapshot('a')).toBe(true);
  });

  test('tick_size clears the book until the next snapshot and sets the tick', () => {
    const s = new L2Store();
    s.subscribe(['a']);
    s.apply(book('a', [[400_000, 1]], [[500_000, 1]]), 1);
    const r = s.apply(
      {
        kind: 'tick_size',
        tokenId: 'a',
        conditionId: '',
        oldTickSize: 10_000,
        newTickSize: 1_000,
        venueTsMs: 2,
      },
      2,
    );
    expect(r).toMatchObject({ changed: true, tokenId: 'a' });
    expect(s.book('a')?.top()).toMatchObject({ bid: null, ask: null, tickSize: 1_000 });
    expect([s.hasSnapshot('a'), s.needsSnapshot('a')]).toEqual([false, true]);
    expect(s.apply(level('a', 'bid', 400_000, 1), 3).changed).toBe(false);
    s.unsubscribe(['a']);
    expect(s.book('a')).toBeUndefined();
  });

  describe('crossing-burst fixture (live, both tokens, 51 frames)', () => {
    // The file holds `book` snapshots for the Up token only (frames 0 and 50); the Down token
    // (mirror entries) never gets a snapshot, so its 49 level entries are ignored as
    // "before snapshot". Frame 47 is a taker SELL at 0.301 sweeping the 0.311 and 0.301 bids: the
    // venue sends the new ask first (crossing the still-present bids) and the bid removals in
    // frames 48-49 in the same millisecond, and its own best_bid on frame 47 (0.29) already
    // excludes the swept bids.
    function run(policy: 'reject' | 'evict'): { s: L2Store; beforeClose: OrderBook } {
      const s = new L2Store({ crossPolicy: policy });
      s.subscribe([UP, DOWN]);
      let beforeClose = new OrderBook(UP);
      frames.forEach((f, i) => {
        if (i === 50) {
          beforeClose = new OrderBook(UP);
          beforeClose.replace(s.book(UP)!.bids, s.book(UP)!.asks);
        }
        for (const ev of eventsOf(f)) s.apply(ev, i);
        expect(bookProblem(s.book(UP)!.bids, s.book(UP)!.asks)).toBeNull();
      });
      return { s, beforeClose };
    }
    const closing = eventsOf(frames[50]!)[0]!;
    if (closing.kind !== 'book') throw new Error('closing book expected');

    test('reject policy: ends equal to the closing snapshot; the swept-in ask was missing before it', () => {
      const { s, beforeClose } = run('reject');
      expect(s.book(UP)!.bids).toEqual(closing.bids);
      expect(s.book(UP)!.asks).toEqual(closing.asks);
      expect(s.counters).toMatchObject({
        snapshots: 2,
        levels: 48,
        crossedLevels: 1,
        levelsBeforeSnapshot: 49,
      });
      expect(s.hasSnapshot(DOWN)).toBe(false);
      expect(s.needsSnapshot(UP)).toBe(false);
      // Before the closing snapshot the book lacked exactly the 45.83 @ 0.301 ask of frame 47.
      expect(beforeClose.bids).toEqual(closing.bids);
      expect(beforeClose.asks).toEqual(closing.asks.filter((l) => l.price !== 301_000));
    });

    test('evict policy: the deltas alone already rebuild the closing snapshot exactly', () => {
      const { s, beforeClose } = run('evict');
      expect(beforeClose.bids).toEqual(closing.bids);
      expect(beforeClose.asks).toEqual(closing.asks);
      expect(s.counters).toMatchObject({ levels: 49, crossedLevels: 1, topMismatches: 0 });
    });
  });
});
