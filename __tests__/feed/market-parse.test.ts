import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMarketFrame } from '../../src/feed/market-parse';
import type { MarketEvent } from '../../src/core/market-events';

const FIX = path.resolve(__dirname, '../../../shared/data/fixtures');
const raw = (rel: string): string => readFileSync(path.join(FIX, rel), 'utf8');

function one(text: string): MarketEvent {
  const r = parseMarketFrame(text);
  expect(r.rejected).toEqual([]);
  expect(r.events).toHaveLength(1);
  return r.events[0] as MarketEvent;
}

function expectSorted(ev: MarketEvent): void {
  if (ev.kind !== 'book') throw new Error('not a book');
  for (let i = 1; i < ev.bids.length; i++) expect(ev.bids[i]!.price).toBeLessThan(ev.bids[i - 1]!.price);
  for (let i = 1; i < ev.asks.length; i++) expect(ev.asks[i]!.price).toBeGreaterThan(ev.asks[i - 1]!.price);
}

describe('parseMarketFrame: fixtures', () => {
  test('crossing burst: every frame parses; book sorted best first; 2 level events per price_change', () => {
    const frames = JSON.parse(raw('nautilus-trader/ws_market_price_change_crossing_burst.json')) as unknown[];
    expect(frames).toHaveLength(51);
    const kinds: string[] = [];
    for (const f of frames) {
      const r = parseMarketFrame(JSON.stringify(f));
      expect(r.rejected).toEqual([]);
      kinds.push(...r.events.map((e) => e.kind));
    }
    expect(kinds.filter((k) => k === 'book')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'level')).toHaveLength(98);
    const first = parseMarketFrame(JSON.stringify(frames[0])).events[0]!;
    expectSorted(first);
    if (first.kind !== 'book') throw new Error('book expected');
    expect(first.bids[0]).toEqual({ price: 300_000, size: 5_000_000_000 });
    expect(first.asks[0]).toEqual({ price: 397_000, size: 100_090_000 });
    expect(first.tickSize).toBe(1_000);
    expect(first.venueTsMs).toBe(1790658661234);
    const last = parseMarketFrame(JSON.stringify(frames[50])).events[0]!;
    expect(last.kind === 'book' && last.tickSize).toBe(null);
  });

  test('a price_change entry maps to a level event with side, price, size and venue top of book', () => {
    const frames = JSON.parse(raw('nautilus-trader/ws_market_price_change_crossing_burst.json')) as unknown[];
    const r = parseMarketFrame(JSON.stringify(frames[1]));
    expect(r.events[0]).toEqual({
      kind: 'level',
      tokenId: '76670567130917723816490572615540605537878462672464291990940067659127658071111',
      conditionId: '0x285746de0e4f751fd4dc8f9dc2cecd0101ba9ad0096a43145ed9643b09514f01',
      side: 'bid',
      price: 301_000,
      size: 1_000_000_000,
      bestBid: 301_000,
      bestAsk: 397_000,
      venueTsMs: 1790658674035,
    });
    expect(r.events[1]).toMatchObject({ side: 'ask', price: 699_000 });
  });

  test('captured book (best levels last on the wire) comes back best first', () => {
    const ev = one(raw('nautilus-trader/ws_book_snapshot_captured.json'));
    expectSorted(ev);
    expect(ev).toMatchObject({
      kind: 'book',
      tickSize: 10_000,
      hash: 'ed47eb91f3c7985fac1cb18cb7c19535eddd3c0a',
    });
  });

  test.each([
    'nautilus-trader/clob_book_response_empty_ask.json',
    'nautilus-trader-py/ws_messages/book.json',
    'nautilus-trader-py/http_responses/book.json',
  ])('book %s (REST shapes without event_type are detected by bids/asks)', (f) => {
    const ev = one(raw(f));
    expect(ev.kind).toBe('book');
    expectSorted(ev);
  });

  test('REST book with empty asks and last_trade_price ""', () => {
    const ev = one(raw('nautilus-trader/clob_book_response_empty_ask.json'));
    expect(ev.kind === 'book' && ev.asks).toEqual([]);
    expect(ev.kind === 'book' && ev.tickSize).toBe(1_000);
  });

  test('brunoomoniz REST book without timestamp is rejected with a reason', () => {
    const r = parseMarketFrame(raw('brunoomoniz-btc5m/clob_book.json'));
    expect(r.events).toEqual([]);
    expect(r.rejected).toEqual(['timestamp: missing']);
  });

  test('ssmd recordings: 10 books and 10 last trades', () => {
    const books = raw('ssmd/polymarket_book.jsonl').trim().split('\n').map(one);
    expect(books).toHaveLength(10);
    books.forEach(expectSorted);
    const trades = raw('ssmd/polymarket_trade.jsonl').trim().split('\n').map(one);
    expect(trades.every((t) => t.kind === 'last_trade')).toBe(true);
    expect(trades[0]).toMatchObject({ kind: 'last_trade', price: 460_000, size: 200_000, side: 'SELL' });
  });

  test('price_change: 2024 flat form, 2024-25 changes[] form, current form', () => {
    expect(one(raw('nautilus-trader-py/ws_messages/price_change.json'))).toMatchObject({
      kind: 'level',
      side: 'ask',
      price: 514_000,
      size: 21_574_080_000,
      bestBid: null,
      bestAsk: null,
    });
    const old = parseMarketFrame(raw('nautilus-trader-py/ws_messages-pre-2025-09/price_change_v2.json'));
    expect(old.rejected).toEqual([]);
    expect(old.events.map((e) => e.kind === 'level' && [e.tokenId.slice(0, 5), e.side, e.price])).toEqual([
      ['52114', 'bid', 600_000],
      ['52114', 'bid', 500_000],
      ['52114', 'bid', 700_000],
    ]);
    const cur = parseMarketFrame(raw('nautilus-trader-py/ws_messages/price_change_v2.json'));
    expect(cur.events).toHaveLength(3);
    expect(cur.events[0]).toMatchObject({ bestBid: 600_000, bestAsk: 700_000 });
  });

  test('tick_size_change, last_trade_price, best_bid_ask, new_market, market_resolved', () => {
    expect(one(raw('nautilus-trader-py/ws_messages/tick_size_change.json'))).toMatchObject({
      kind: 'tick_size',
      oldTickSize: 10_000,
      newTickSize: 1_000,
      venueTsMs: 1739068041853,
    });
    expect(one(raw('nautilus-trader-py/ws_messages/last_trade_price.json'))).toMatchObject({
      kind: 'last_trade',
      price: 491_000,
      size: 85_360_000,
      side: 'SELL',
    });
    expect(one(raw('nautilus-trader/ws_market_best_bid_ask_msg.json'))).toMatchObject({
      kind: 'best_bid_ask',
      bestBid: 730_000,
      bestAsk: 770_000,
    });
    const nm = one(raw('nautilus-trader/ws_market_new_market_msg.json'));
    expect(nm).toMatchObject({ kind: 'new_market', slug: 'nvda-above-240-on-january-30-2026' });
    expect(nm.kind === 'new_market' && nm.tokenIds).toHaveLength(2);
    const res = one(raw('nautilus-trader/ws_market_resolved_msg.json'));
    expect(res).toMatchObject({
      kind: 'market_resolved',
      winningTokenId: '76043073756653678226373981964075571318267289248134717369284518995922789326425',
    });
  });
});

const T1 = '1111';
const T2 = '2222';
const pc = (entries: object[]): string =>
  JSON.stringify({
    event_type: 'price_change',
    market: '0xabc',
    timestamp: '1700000000000',
    price_changes: entries,
  });

describe('parseMarketFrame: edge cases', () => {
  test.each(['PONG', 'pong', ' Pong\n'])('%p is a pong', (t) => {
    expect(parseMarketFrame(t)).toEqual({ events: [], rejected: [], pong: true });
  });

  test('invalid JSON and non-objects are rejected, not thrown', () => {
    expect(parseMarketFrame('{"event_type":').rejected).toEqual(['invalid JSON']);
    expect(parseMarketFrame('PING').rejected).toEqual(['invalid JSON']);
    expect(parseMarketFrame('[1, null, "x"]').rejected).toEqual([
      'not an object',
      'not an object',
      'not an object',
    ]);
  });

  test('array frame: good objects survive a bad neighbour; unknown type counted', () => {
    const good = {
      event_type: 'best_bid_ask',
      asset_id: T1,
      market: '0x',
      best_bid: '.48',
      best_ask: '',
      timestamp: 5,
    };
    const r = parseMarketFrame(JSON.stringify([good, { event_type: 'mystery' }, {}]));
    expect(r.events).toEqual([
      { kind: 'best_bid_ask', tokenId: T1, conditionId: '0x', bestBid: 480_000, bestAsk: null, venueTsMs: 5 },
    ]);
    expect(r.rejected).toEqual(['unknown event_type: mystery', 'missing event_type']);
  });

  test('price_change: a bad entry is rejected alone; empty best_bid/"0"/"1" mean absent', () => {
    const r = parseMarketFrame(
      pc([
        { asset_id: T1, price: '1.5', size: '10', side: 'BUY' },
        { asset_id: T2, price: '.5', size: '10', side: 'SELL', best_bid: '0', best_ask: '1' },
        { asset_id: T2, price: '0.5', size: '-1', side: 'SELL' },
        { asset_id: 'abc', price: '0.5', size: '1', side: 'SELL' },
        { asset_id: T2, price: '0.5', size: '1', side: 'HOLD' },
        { asset_id: T2, price: '0.5', side: 'BUY' },
        { asset_id: T2, price: 'NaN', size: '1', side: 'BUY' },
      ]),
    );
    expect(r.events).toEqual([
      expect.objectContaining({
        tokenId: T2,
        side: 'ask',
        price: 500_000,
        size: 10_000_000,
        bestBid: null,
        bestAsk: null,
      }),
    ]);
    expect(r.rejected).toEqual([
      'price_changes[0].price: price out of range',
      'price_changes[2].size: negative size',
      'price_changes[3].asset_id: invalid token id',
      'price_changes[4].side: invalid side',
      'price_changes[5].size: missing',
      'price_changes[6].price: not a decimal',
    ]);
  });

  test('book: any wire order → best first; duplicate prices last-wins; size 0 dropped; bad level rejects book', () => {
    const book = (bids: object[], asks: object[]): string =>
      JSON.stringify({ event_type: 'book', asset_id: T1, market: '0x', timestamp: '1', bids, asks });
    const ev = one(
      book(
        [
          { price: '0.3', size: '1' },
          { price: '0.5', size: '2' },
          { price: '0.3', size: '7' },
          { price: '0.4', size: '0' },
        ],
        [
          { price: '0.6', size: '1' },
          { price: '0.7', size: '1' },
        ],
      ),
    );
    expect(ev.kind === 'book' && ev.bids).toEqual([
      { price: 500_000, size: 2_000_000 },
      { price: 300_000, size: 7_000_000 },
    ]);
    expect(ev.kind === 'book' && ev.asks.map((l) => l.price)).toEqual([600_000, 700_000]);
    expect(parseMarketFrame(book([{ price: '-0.1', size: '1' }], [])).rejected).toEqual([
      'bids[0].price: price out of range',
    ]);
    expect(parseMarketFrame(book([], [{ price: '0.5', size: 'x' }])).rejected).toEqual([
      'asks[0].size: not a decimal',
    ]);
  });

  test('tick sizes are validated; timestamps accept numbers and digit strings only', () => {
    const tsc = (t: unknown, ts: unknown = '1'): string =>
      JSON.stringify({
        event_type: 'tick_size_change',
        asset_id: T1,
        new_tick_size: t,
        old_tick_size: '0.01',
        timestamp: ts,
      });
    for (const t of ['0.1', '0.01', '0.001', '0.0001', '0.005', '0.0025', '0.010']) {
      expect(parseMarketFrame(tsc(t)).events).toHaveLength(1);
    }
    expect(parseMarketFrame(tsc('0.02')).rejected).toEqual(['new_tick_size: invalid tick size']);
    expect(parseMarketFrame(tsc('0.01', 17e11)).events[0]).toMatchObject({ venueTsMs: 17e11 });
    expect(parseMarketFrame(tsc('0.01', '12a')).rejected).toEqual(['timestamp: not an integer']);
    expect(parseMarketFrame(tsc('0.01', -5)).rejected).toEqual(['timestamp: invalid']);
  });
});
