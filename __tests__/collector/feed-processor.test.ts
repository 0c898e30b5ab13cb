import { FeedProcessor } from '../../src/feed/feed-processor';
import type { MarketInfo } from '../../src/market/market-info';

const UP = '111';
const DOWN = '222';
const MARKET: MarketInfo = {
  window: { crypto: 'BTC', windowSec: 900, windowEpoch: 1_766_745_000 },
  slug: 'btc-updown-15m-1766745000',
  conditionId: '0xabc',
  upTokenId: UP,
  downTokenId: DOWN,
  startMs: 1_766_745_000_000,
  endMs: 1_766_745_900_000,
  tickSize: 10_000,
  minOrderSize: null,
  negRisk: false,
  active: true,
  closed: false,
};
const fresh = (): boolean => false;
const book = (id: string, ts: number, bid: string, ask: string): string =>
  JSON.stringify({
    event_type: 'book',
    asset_id: id,
    market: '0xabc',
    bids: [{ price: bid, size: '100' }],
    asks: [{ price: ask, size: '100' }],
    timestamp: String(ts),
  });
const change = (ts: number, price: string, size: string, side: 'BUY' | 'SELL' = 'BUY'): string =>
  JSON.stringify({
    event_type: 'price_change',
    market: '0xabc',
    timestamp: String(ts),
    price_changes: [{ asset_id: UP, price, size, side }],
  });

function setup(): FeedProcessor {
  const f = new FeedProcessor();
  f.addWindow(MARKET);
  f.onFrame(`[${book(UP, 1000, '0.48', '0.52')},${book(DOWN, 1000, '0.48', '0.52')}]`, 1, fresh);
  return f;
}

describe('FeedProcessor', () => {
  it('gives one tick per frame that changed a window, after all its events', () => {
    const f = new FeedProcessor();
    f.addWindow(MARKET);
    const ticks = f.onFrame(
      `[${book(UP, 1000, '0.48', '0.52')},${book(DOWN, 1000, '0.47', '0.53')}]`,
      5,
      fresh,
    );
    expect(ticks).toHaveLength(1);
    expect(ticks[0]!.tick.up).toMatchObject({ bid: 480_000, ask: 520_000 });
    expect(ticks[0]!.tick.down).toMatchObject({ bid: 470_000, ask: 530_000 });
    expect(ticks[0]).toMatchObject({ venueTsMs: 1000, tick: { tsMs: 5 } });
  });

  it('drops a frame identical to a recent one', () => {
    const f = setup();
    const frame = change(2000, '0.49', '10');
    expect(f.onFrame(frame, 2, fresh)).toHaveLength(1);
    expect(f.onFrame(frame, 3, fresh)).toHaveLength(0);
    expect(f.counters.duplicateFrames).toBe(1);
  });

  it('drops a level update older than that level’s last update (sizes are absolute)', () => {
    const f = setup();
    f.onFrame(change(3000, '0.49', '30'), 2, fresh);
    f.onFrame(change(2000, '0.49', '20'), 3, fresh); // arrived late: would undo the newer size
    expect(f.counters.superseded).toBe(1);
    expect(f.l2.book(UP)!.bids[0]).toEqual({ price: 490_000, size: 30_000_000 });
  });

  it('applies a late update of another level, and counts it', () => {
    const f = setup();
    f.onFrame(change(3000, '0.49', '30'), 2, fresh);
    f.onFrame(change(2000, '0.47', '20'), 3, fresh);
    expect(f.counters.outOfOrder).toBe(1);
    expect(f.l2.book(UP)!.bids.map((l) => l.price)).toEqual([490_000, 480_000, 470_000]);
  });

  it('drops a snapshot older than the book', () => {
    const f = setup();
    f.onFrame(change(3000, '0.49', '30'), 2, fresh);
    f.onFrame(book(UP, 2500, '0.40', '0.60'), 3, fresh);
    expect(f.counters.superseded).toBe(1);
    expect(f.l2.book(UP)!.bids[0]!.price).toBe(490_000);
  });

  it('marks the tokens the feed calls stale, and those waiting for a snapshot', () => {
    const f = new FeedProcessor();
    f.addWindow(MARKET);
    const [t] = f.onFrame(book(UP, 1000, '0.48', '0.52'), 1, (id) => id === UP);
    expect(t!.tick.up.stale).toBe(true);
    expect(t!.tick.down.stale).toBe(true); // no snapshot yet
  });
});
