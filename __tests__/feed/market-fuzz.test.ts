import { readFileSync } from 'node:fs';
import path from 'node:path';
import { L2Store } from '../../src/book/l2-store';
import type { MarketEvent } from '../../src/core/market-events';
import { parseMarketFrame } from '../../src/feed/market-parse';
import { bookProblem } from '../../src/book/order-book';
import { isPrice, mutateText, mutateTree, validBookEvent, xorshift } from '../helpers/feed-fuzz';

const FIX = path.resolve(__dirname, '../../../shared/data/fixtures');
const json = (rel: string): unknown => JSON.parse(readFileSync(path.join(FIX, rel), 'utf8')) as unknown;

const SEEDS: unknown[] = [
  ...(json('nautilus-trader/ws_market_price_change_crossing_burst.json') as unknown[]),
  json('nautilus-trader/ws_book_snapshot_captured.json'),
  json('nautilus-trader/ws_market_best_bid_ask_msg.json'),
  json('nautilus-trader/ws_market_new_market_msg.json'),
  json('nautilus-trader/ws_market_resolved_msg.json'),
  json('nautilus-trader-py/ws_messages/price_change.json'),
  json('nautilus-trader-py/ws_messages-pre-2025-09/price_change_v2.json'),
  json('nautilus-trader-py/ws_messages/tick_size_change.json'),
  json('nautilus-trader-py/ws_messages/last_trade_price.json'),
];
const TOKENS = new Set<string>();
for (const s of SEEDS) {
  const text = JSON.stringify(s);
  for (const m of text.matchAll(/"(\d{60,80})"/g)) TOKENS.add(m[1]!);
}

function validEvent(e: MarketEvent): boolean {
  const p = isPrice;
  switch (e.kind) {
    case 'book':
      return validBookEvent(e);
    case 'level':
      return (
        p(e.price) &&
        Number.isSafeInteger(e.size) &&
        e.size >= 0 &&
        p(e.bestBid) &&
        p(e.bestAsk) &&
        /^\d+$/.test(e.tokenId)
      );
    case 'last_trade':
      return p(e.price) && (e.size === null || e.size >= 0);
    case 'best_bid_ask':
      return p(e.bestBid) && p(e.bestAsk);
    case 'tick_size':
      return e.newTickSize > 0 && e.oldTickSize > 0;
    default:
      return Number.isSafeInteger(e.venueTsMs);
  }
}

test('50,000 mutated frames: no throw, valid events only, books never crossed', () => {
  const rnd = xorshift(0x5eed);
  const store = new L2Store();
  store.subscribe(TOKENS);
  const base = SEEDS.map((s) => JSON.stringify(s));
  let events = 0;
  let rejected = 0;
  const internal: string[] = [];
  const N = 50_000;
  for (let i = 0; i < N; i++) {
    const seed = SEEDS[Math.floor(rnd() * SEEDS.length)];
    let text: string;
    if (rnd() < 0.5) {
      const obj = structuredClone(seed);
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) mutateTree(obj, rnd);
      text = JSON.stringify(obj) ?? 'null';
    } else if (rnd() < 0.8) {
      text = mutateText(base[Math.floor(rnd() * base.length)]!, rnd);
    } else {
      text = base[Math.floor(rnd() * base.length)]!; // unmutated, keeps books alive
    }
    const r = parseMarketFrame(text);
    rejected += r.rejected.length;
    for (const why of r.rejected) if (why.startsWith('internal')) internal.push(why);
    for (const ev of r.events) {
      events++;
      if (!validEvent(ev)) throw new Error(`invalid event from ${text.slice(0, 300)}: ${JSON.stringify(ev)}`);
      const res = store.apply(ev, i);
      if (res.tokenId !== null) {
        const b = store.book(res.tokenId);
        if (b !== undefined && bookProblem(b.bids, b.asks) !== null) {
          throw new Error(`book ${res.tokenId} broken after ${text.slice(0, 300)}`);
        }
      }
    }
  }
  const c = store.counters;
  expect(internal).toEqual([]); // every rejection is a deliberate one, never a caught bug
  expect(events).toBeGreaterThan(N / 2);
  expect(rejected).toBeGreaterThan(N / 10);
  expect(c.snapshots).toBeGreaterThan(0);
  expect(c.levels).toBeGreaterThan(0);
  expect(c.rejectedSnapshots + c.crossedLevels).toBeGreaterThan(0);
});
