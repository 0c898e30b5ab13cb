/**
 * Fuzz harness of the whole feed path (issue #9 "Tests that can fail"): mutated frames seeded from
 * the captured fixtures go through the market channel (`FeedProcessor`: parse → ordering → exact
 * L2 books → ticks), the RTDS parser, the REST `GET /book` parser and the Gamma parser. Each frame
 * ends in exactly one outcome — accepted, rejected (with at least one counted reason), duplicate,
 * pong or empty (`[]`, a message whose list is empty) — and anything else is a finding: a throw that is not the parser's
 * documented `InputError` (a crash), an output that breaks its contract (invalid), or a frame
 * dropped without a reason. Deterministic for a seed (xorshift32). Used by
 * `__tests__/feed/feed-fuzz.test.ts` (small) and `npm run bench` (`feed_fuzz_frames`, ≥ 1,000,000).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bookProblem, type Level } from '../../src/book/order-book';
import { FeedProcessor, type FeedCounters } from '../../src/feed/feed-processor';
import { InputError } from '../../src/core/errors';
import type { TopOfBook } from '../../src/core/types';
import type { MarketEvent, SpotPrice } from '../../src/core/market-events';
import { PRICE_TOPICS, parseRtdsFrame } from '../../src/feed/rtds-parse';
import { VALID_TICK_SIZES } from '../../src/feed/market-parse';
import { parseGammaEventOrMarkets } from '../../src/market/gamma';
import { parseRestBook } from '../../src/market/gamma-client';
import type { MarketInfo } from '../../src/market/market-info';

/** The four parsers of the feed path. */
export type FuzzPath = 'market' | 'rtds' | 'rest' | 'gamma';

/** Outcome counts of one path; `accepted + rejected + duplicate + pong + empty = frames`. */
export interface PathCounts {
  frames: number;
  /** Frames that gave at least one event / price / market / book. */
  accepted: number;
  /** Frames that gave nothing and at least one rejection reason. */
  rejected: number;
  /** Rejection reasons counted (a frame may have several; market: the processor's `malformed`). */
  reasons: number;
  /** Market frames dropped as duplicates of a recent frame. */
  duplicate: number;
  /** Keepalive answers. */
  pong: number;
  /** Frames with nothing to give and nothing wrong (`[]`, a message whose list is empty). */
  empty: number;
}

/** Result of a fuzz run. */
export interface FuzzReport {
  readonly frames: number;
  readonly byPath: Readonly<Record<FuzzPath, PathCounts>>;
  /** Throws other than the documented `InputError` (first 10, with the frame's head). */
  readonly crashes: string[];
  /** Outputs that break the parser's contract, or frames dropped with no reason (first 10). */
  readonly invalid: string[];
  /** Number of crashes / invalid outputs (all, not only the first 10). */
  readonly crashCount: number;
  readonly invalidCount: number;
  /** The market path's own counters at the end (to cross-check `reasons`, `duplicate`, `pong`). */
  readonly feedCounters: Readonly<FeedCounters>;
  /** Book snapshots applied, and snapshots / levels the L2 store refused (crossed, unsorted). */
  readonly l2: { snapshots: number; refused: number };
}

const FIX = path.resolve(__dirname, '../../../shared/data/fixtures');
const fixture = (rel: string): unknown => JSON.parse(readFileSync(path.join(FIX, rel), 'utf8')) as unknown;

/** xorshift32 in [0, 1): deterministic, seeded. */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

interface Seeds {
  readonly market: unknown[];
  readonly rtds: unknown[];
  readonly rest: { body: unknown; tokenId: string }[];
  readonly gamma: unknown[];
  readonly tokens: string[];
}

function loadSeeds(): Seeds {
  const market: unknown[] = [
    ...(fixture('nautilus-trader/ws_market_price_change_crossing_burst.json') as unknown[]),
    fixture('nautilus-trader/ws_book_snapshot_captured.json'),
    fixture('nautilus-trader/ws_market_best_bid_ask_msg.json'),
    fixture('nautilus-trader/ws_market_new_market_msg.json'),
    fixture('nautilus-trader/ws_market_resolved_msg.json'),
    fixture('nautilus-trader-py/ws_messages/price_change.json'),
    fixture('nautilus-trader-py/ws_messages-pre-2025-09/price_change_v2.json'),
    fixture('nautilus-trader-py/ws_messages/tick_size_change.json'),
    fixture('nautilus-trader-py/ws_messages/last_trade_price.json'),
  ];
  const rtds = [
    fixture('brunoomoniz-btc5m/ws_frame.json'),
    fixture('brunoomoniz-btc5m/ws_update_frame.json'),
    fixture('nautilus-trader/rtds_crypto_prices_subscribe.json'),
    fixture('nautilus-trader/rtds_crypto_prices_update.json'),
    fixture('nautilus-trader/rtds_crypto_twap_sixty_update.json'),
  ];
  const rest = [
    'brunoomoniz-btc5m/clob_book.json',
    'nautilus-trader/clob_book_response_empty_ask.json',
    'nautilus-trader-py/http_responses/book.json',
  ].map((rel) => {
    const body = fixture(rel) as { asset_id: string };
    return { body, tokenId: body.asset_id };
  });
  const gamma = [
    fixture('brunoomoniz-btc5m/gamma_market.json'),
    fixture('nautilus-trader/gamma_market.json'),
    fixture('nautilus-trader/gamma_market_crypto_twap.json'),
  ];
  const tokens = new Set<string>();
  for (const s of [...market, ...rest.map((r) => r.body)]) {
    for (const m of JSON.stringify(s).matchAll(/"(\d{60,80})"/g)) tokens.add(m[1]!);
  }
  return { market, rtds, rest, gamma, tokens: [...tokens] };
}

const ODD: unknown[] = [
  null,
  true,
  false,
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
  'PONG',
  [],
  {},
  [[[[1]]]],
  '९',
  'btc-updown-15m-1773307200',
  '2026-03-12T09:20:00Z',
];

/** A hostile value for a field: odd scalars, numbers of every size, deep nesting, level lists. */
export function randomValue(rnd: () => number): unknown {
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

/** Mutates a random nested field of `v` in place (descend, drop, swap, replace). */
export function mutateTree(v: unknown, rnd: () => number, depth = 0): void {
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

/** A mutated frame text: truncated, bytes changed, deeply nested, numbers broken, doubled. */
export function mutateText(t: string, rnd: () => number): string {
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

/** One mutated text of `seed`: a tree mutation, a text mutation, or (10 %) the seed as is. */
function mutated(seed: unknown, seedText: string, rnd: () => number): string {
  const r = rnd();
  if (r < 0.5) {
    const obj = structuredClone(seed);
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) mutateTree(obj, rnd);
    return JSON.stringify(obj) ?? 'null';
  }
  if (r < 0.9) return mutateText(seedText, rnd);
  return seedText;
}

/** A price in micro-USDC within [0, 1e6], or absent. */
export const isPrice = (x: number | null): boolean =>
  x === null || (Number.isInteger(x) && x >= 0 && x <= 1e6);

function validLevels(ls: readonly Level[]): boolean {
  return ls.every(
    (l) => Number.isInteger(l.price) && l.price >= 0 && l.price <= 1e6 && l.size !== null && l.size >= 0,
  );
}

/** A parsed book is sorted and in range (crossing is the store's business). */
export function validBookEvent(e: Extract<MarketEvent, { kind: 'book' }>): boolean {
  const problem = bookProblem(e.bids, e.asks);
  return validLevels(e.bids) && validLevels(e.asks) && (problem === null || problem === 'crossed');
}

function validTop(t: TopOfBook): boolean {
  return (
    isPrice(t.bid) &&
    isPrice(t.ask) &&
    (t.bid === null || t.ask === null || t.bid < t.ask) &&
    (t.bidSize === null || (Number.isSafeInteger(t.bidSize) && t.bidSize > 0)) &&
    (t.askSize === null || (Number.isSafeInteger(t.askSize) && t.askSize > 0))
  );
}

function validPrice(p: SpotPrice): boolean {
  return (
    PRICE_TOPICS.has(p.topic) &&
    p.symbol !== '' &&
    p.symbol === p.symbol.toLowerCase() &&
    Number.isSafeInteger(p.tsMs) &&
    p.tsMs > 0 &&
    Number.isFinite(p.value) &&
    p.value > 0 &&
    (p.valueE18 === null || /^\d+$/.test(p.valueE18))
  );
}

function validMarket(m: MarketInfo): boolean {
  return (
    /^\d{1,80}$/.test(m.upTokenId) &&
    /^\d{1,80}$/.test(m.downTokenId) &&
    m.upTokenId !== m.downTokenId &&
    m.endMs - m.startMs === m.window.windowSec * 1000 &&
    m.startMs === m.window.windowEpoch * 1000 &&
    (m.tickSize === null || VALID_TICK_SIZES.has(m.tickSize)) &&
    (m.minOrderSize === null || (Number.isSafeInteger(m.minOrderSize) && m.minOrderSize >= 0))
  );
}

const NOT_JSON = Symbol('not JSON');

/** `JSON.parse`, as the HTTP client's `getJson` does (a body that is not JSON is its `InputError`). */
function decode(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * A frame with nothing to give and nothing wrong: a JSON `[]`, or messages whose list is empty
 * (`price_change` with no `price_changes` / `changes`, an RTDS snapshot with no `payload.data`).
 */
function isEmptyMessage(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch {
    return false;
  }
  const items: unknown[] = Array.isArray(v) ? v : [v];
  const emptyList = (x: unknown): boolean => Array.isArray(x) && x.length === 0;
  return items.every((o) => {
    if (typeof o !== 'object' || o === null) return false;
    const m = o as { price_changes?: unknown; changes?: unknown; payload?: { data?: unknown } | null };
    return emptyList(m.price_changes) || emptyList(m.changes) || emptyList(m.payload?.data);
  });
}

const zero = (): PathCounts => ({
  frames: 0,
  accepted: 0,
  rejected: 0,
  reasons: 0,
  duplicate: 0,
  pong: 0,
  empty: 0,
});

/** Options of {@link runFeedFuzz}. */
export interface FuzzOptions {
  /** Frames in all (split market 50 %, RTDS 20 %, REST 15 %, Gamma 15 %). */
  readonly frames: number;
  readonly seed?: number;
}

/**
 * Runs `frames` mutated frames through the feed path and returns the outcome counts and findings.
 * Never throws for a finding: crashes and invalid outputs are collected for the caller to assert.
 */
export function runFeedFuzz(opts: FuzzOptions): FuzzReport {
  const rnd = xorshift(opts.seed ?? 0x5eed);
  const seeds = loadSeeds();
  const texts = {
    market: seeds.market.map((s) => JSON.stringify(s)),
    rtds: seeds.rtds.map((s) => JSON.stringify(s)),
    rest: seeds.rest.map((s) => JSON.stringify(s.body)),
    gamma: seeds.gamma.map((s) => JSON.stringify(s)),
  };
  const feed = new FeedProcessor();
  // every seed token in a window (pairs), so book changes give ticks to check
  const byToken = new Map<string, MarketInfo>();
  for (let i = 0; i < seeds.tokens.length; i += 2) {
    const up = seeds.tokens[i]!;
    const down = seeds.tokens[i + 1] ?? `${up}0`;
    const epoch = 1_773_307_200 + i * 900;
    const info: MarketInfo = {
      window: { crypto: 'BTC', windowSec: 900, windowEpoch: epoch },
      slug: `btc-updown-15m-${epoch}`,
      conditionId: `0x${'0'.repeat(64)}`,
      upTokenId: up,
      downTokenId: down,
      startMs: epoch * 1000,
      endMs: (epoch + 900) * 1000,
      tickSize: 10_000,
      minOrderSize: 5_000_000,
      negRisk: false,
      active: true,
      closed: false,
    };
    feed.addWindow(info);
    byToken.set(up, info);
    byToken.set(down, info);
  }
  const byPath: Record<FuzzPath, PathCounts> = { market: zero(), rtds: zero(), rest: zero(), gamma: zero() };
  const crashes: string[] = [];
  const invalid: string[] = [];
  let crashCount = 0;
  let invalidCount = 0;
  const crash = (p: FuzzPath, text: string, err: unknown): void => {
    crashCount += 1;
    if (crashes.length < 10) crashes.push(`${p}: ${String(err)} ← ${text.slice(0, 200)}`);
  };
  const bad = (p: FuzzPath, what: string, text: string): void => {
    invalidCount += 1;
    if (invalid.length < 10) invalid.push(`${p}: ${what} ← ${text.slice(0, 200)}`);
  };
  /** Files a frame that gave nothing: rejected with reasons, an empty list, or silently dropped. */
  const nothing = (c: PathCounts, p: FuzzPath, reasons: number, text: string): void => {
    if (reasons > 0) c.rejected += 1;
    else if (isEmptyMessage(text)) c.empty += 1;
    else {
      c.rejected += 1; // counted so the sums still hold; reported as a finding
      bad(p, 'dropped without a reason', text);
    }
  };
  const pick = <T>(xs: readonly T[]): number => Math.floor(rnd() * xs.length) % xs.length;

  for (let i = 0; i < opts.frames; i++) {
    const r = rnd();
    if (r < 0.5) {
      const c = byPath.market;
      const k = pick(seeds.market);
      const text = mutated(seeds.market[k], texts.market[k]!, rnd);
      c.frames += 1;
      const before = { ...feed.counters };
      try {
        const ticks = feed.onFrame(text, 1_773_307_200_000 + i, () => false);
        const fc = feed.counters;
        const reasons = fc.malformed - before.malformed;
        c.reasons += reasons;
        if (fc.duplicateFrames > before.duplicateFrames) c.duplicate += 1;
        else if (fc.pongs > before.pongs) c.pong += 1;
        else if (fc.events > before.events) c.accepted += 1;
        else nothing(c, 'market', reasons, text);
        for (const t of ticks) {
          if (!validTop(t.tick.up) || !validTop(t.tick.down))
            bad('market', `invalid tick ${JSON.stringify(t)}`, text);
          const info = byToken.get(t.tick.up.tokenId);
          for (const id of info === undefined ? [] : [info.upTokenId, info.downTokenId]) {
            const b = feed.l2.book(id);
            if (b !== undefined && bookProblem(b.bids, b.asks) !== null)
              bad('market', `book ${id} broken`, text);
          }
        }
      } catch (err) {
        crash('market', text, err);
      }
    } else if (r < 0.7) {
      const c = byPath.rtds;
      const k = pick(seeds.rtds);
      const text = mutated(seeds.rtds[k], texts.rtds[k]!, rnd);
      c.frames += 1;
      try {
        const out = parseRtdsFrame(text);
        c.reasons += out.rejected.length;
        if (out.pong) c.pong += 1;
        else if (out.prices.length > 0) {
          c.accepted += 1;
          for (const p of out.prices)
            if (!validPrice(p)) bad('rtds', `invalid price ${JSON.stringify(p)}`, text);
        } else nothing(c, 'rtds', out.rejected.length, text);
      } catch (err) {
        crash('rtds', text, err);
      }
    } else if (r < 0.85) {
      const c = byPath.rest;
      const k = pick(seeds.rest);
      const text = mutated(seeds.rest[k]!.body, texts.rest[k]!, rnd);
      const tokenId = seeds.rest[k]!.tokenId;
      c.frames += 1;
      const body = decode(text);
      if (body === NOT_JSON) {
        c.rejected += 1;
        c.reasons += 1;
        continue;
      }
      try {
        const { event } = parseRestBook(body, tokenId, 1_773_307_200_000 + i);
        if (event.kind !== 'book' || event.tokenId !== tokenId || !validBookEvent(event))
          bad('rest', `invalid book ${JSON.stringify(event).slice(0, 200)}`, text);
        c.accepted += 1;
      } catch (err) {
        // the client's documented failure: not a valid book (InputError)
        if (err instanceof InputError) {
          c.rejected += 1;
          c.reasons += 1;
        } else crash('rest', text, err);
      }
    } else {
      const c = byPath.gamma;
      const k = pick(seeds.gamma);
      const text = mutated(seeds.gamma[k], texts.gamma[k]!, rnd);
      c.frames += 1;
      const body = decode(text);
      if (body === NOT_JSON) {
        c.rejected += 1;
        c.reasons += 1;
        continue;
      }
      try {
        const markets = parseGammaEventOrMarkets(body);
        if (markets.length === 0) nothing(c, 'gamma', 0, text);
        else {
          c.accepted += 1;
          for (const m of markets)
            if (!validMarket(m)) bad('gamma', `invalid market ${JSON.stringify(m)}`, text);
        }
      } catch (err) {
        if (err instanceof InputError) {
          c.rejected += 1;
          c.reasons += 1;
        } else crash('gamma', text, err);
      }
    }
  }
  const l2 = feed.l2.counters;
  return {
    frames: opts.frames,
    byPath,
    crashes,
    invalid,
    crashCount,
    invalidCount,
    feedCounters: { ...feed.counters },
    l2: { snapshots: l2.snapshots, refused: l2.rejectedSnapshots + l2.crossedLevels },
  };
}
