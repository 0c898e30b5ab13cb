import { readFileSync } from 'node:fs';
import path from 'node:path';
import { L2Store } from '../../src/book/l2-store';
import { bookProblem, type Level } from '../../src/book/order-book';
import type { MarketEvent } from '../../src/feed/market-events';
import { parseMarketFrame } from '../../src/feed/market-parse';

const FIX = path.resolve(__dirname, '../../../shared/data/fixtures');
const json = (rel: string): unknown => JSON.parse(readFileSync(path.join(FIX, rel), 'utf8')) as unknown;

/** xorshift32: deterministic, seeded. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

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

function validLevels(ls: readonly Level[]): boolean {
  return ls.every(
    (l) => Number.isInteger(l.price) && l.price >= 0 && l.price <= 1e6 && l.size !== null && l.size >= 0,
  );
}

function validEvent(e: MarketEvent): boolean {
  const p = (x: number | null): boolean => x === null || (Number.isInteger(x) && x >= 0 && x <= 1e6);
  switch (e.kind) {
    case 'book':
      return validLevels(e.bids) && validLevels(e.asks) && bookProblemIgnoringCross(e.bids, e.asks);
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

/** A parsed book is sorted and in range (crossing is the store's job). */
function bookProblemIgnoringCross(bids: readonly Level[], asks: readonly Level[]): boolean {
  const r = bookProblem(bids, asks);
  return r === null || r === 'crossed';
}

const ODD: unknown[] = [
  null,
  true,
  0,
  -1,
  -0.5,
  1e308,
  1.5,
  '',
  ' ',
  'NaN',
  '-0.1',
  '1e400',
  '.48',
  '0x10',
  [],
  {},
  [[[[1]]]],
  '९',
];

function randomValue(rnd: () => number): unknown {
  const r = rnd();
  if (r < 0.4) return ODD[Math.floor(rnd() * ODD.length)];
  if (r < 0.6) return String(Math.floor(rnd() * 2e6) / 1e6);
  if (r < 0.7) return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30);
  if (r < 0.8) return 'x'.repeat(Math.floor(rnd() * 50));
  if (r < 0.9) {
    let v: unknown = 1;
    for (let i = Math.floor(rnd() * 200); i > 0; i--) v = [v];
    return v;
  }
  return Array.from({ length: 3 }, () => ({ price: String(rnd()), size: String(rnd() * 100) }));
}

/** Mutates a random nested field of `v` in place (swap, drop, replace). */
function mutateTree(v: unknown, rnd: () => number, depth = 0): void {
  if (typeof v !== 'object' || v === null) return;
  const keys = Object.keys(v);
  if (keys.length === 0) return;
  const rec = v as Record<string, unknown>;
  const k = keys[Math.floor(rnd() * keys.length)]!;
  const r = rnd();
  if (r < 0.35 && depth < 4 && typeof rec[k] === 'object') return mutateTree(rec[k], rnd, depth + 1);
  if (r < 0.55) delete rec[k];
  else if (r < 0.75) {
    const k2 = keys[Math.floor(rnd() * keys.length)]!;
    [rec[k], rec[k2]] = [rec[k2], rec[k]];
  } else rec[k] = randomValue(rnd);
}

function mutateText(t: string, rnd: () => number): string {
  const r = rnd();
  const at = Math.floor(rnd() * t.length);
  if (r < 0.3) return t.slice(0, at);
  if (r < 0.6) {
    const chars = t.split('');
    for (let i = 1 + Math.floor(rnd() * 4); i > 0; i--) {
      chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(32 + Math.floor(rnd() * 95));
    }
    return chars.join('');
  }
  if (r < 0.7) return '['.repeat(5000) + ']'.repeat(5000);
  if (r < 0.8) return t.replace(/"0\.\d+"/g, () => (rnd() < 0.5 ? '"-0.3"' : '"NaN"'));
  if (r < 0.9) return t.replace(/"\d+(\.\d+)?"/, '"1' + '0'.repeat(40) + '"');
  return `[${t},${t}]`;
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
