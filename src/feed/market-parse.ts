/**
 * Pure parser of CLOB market-channel text frames (polymarket-protocol.md §3.3–§3.4) into
 * {@link MarketEvent}s. Runs on every frame, so it avoids per-field regexes and never throws:
 * anything unusable becomes a `rejected` reason and the rest of the frame is still used.
 * Units: prices micro-USDC per share (0..1_000_000), sizes micro-shares, times ms.
 */
import type { Level } from '../book/order-book';
import { MICROS, parseMicros as parseMicrosImport } from '../core/money';

// bound once: called for every price and size of every frame (see canonical-csv.ts)
const parseMicros = parseMicrosImport;
import type { BookSide, FrameParse, MarketEvent } from '../core/market-events';

/** Venue tick sizes in micro-USDC: 0.1, 0.01, 0.001, 0.0001, 0.005, 0.0025. */
export const VALID_TICK_SIZES: ReadonlySet<number> = new Set([100_000, 10_000, 1_000, 100, 5_000, 2_500]);

type Obj = Record<string, unknown>;

/** Thrown internally for one unusable object; caught per object, never escapes. */
class Reject {
  constructor(readonly reason: string) {}
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decimal string (or finite number) → micros; `null` when absent or `""`. */
function decimal(v: unknown, field: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  let m: number | null;
  if (typeof v === 'string') {
    if (v.length > 40) throw new Reject(`${field}: too long`);
    try {
      m = parseMicros(v);
    } catch {
      throw new Reject(`${field}: not a decimal`);
    }
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    m = Math.round(v * MICROS);
  } else throw new Reject(`${field}: not a decimal`);
  if (m === null || !Number.isSafeInteger(m)) throw new Reject(`${field}: out of range`);
  return m === 0 ? 0 : m; // no -0
}

function price(v: unknown, field: string): number {
  const p = decimal(v, field);
  if (p === null) throw new Reject(`${field}: missing`);
  if (p < 0 || p > MICROS) throw new Reject(`${field}: price out of range`);
  return p;
}

function optPrice(v: unknown, field: string): number | null {
  return v === undefined || v === null || v === '' ? null : price(v, field);
}

function size(v: unknown, field: string): number {
  const s = decimal(v, field);
  if (s === null) throw new Reject(`${field}: missing`);
  if (s < 0) throw new Reject(`${field}: negative size`);
  return s;
}

function tick(v: unknown, field: string): number {
  const t = decimal(v, field);
  if (t === null || !VALID_TICK_SIZES.has(t)) throw new Reject(`${field}: invalid tick size`);
  return t;
}

/** Token ids are non-empty decimal strings (uint256, ≤ 78 digits). */
function tokenId(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 80)
    throw new Reject(`${field}: invalid token id`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) throw new Reject(`${field}: invalid token id`);
  }
  return v;
}

function tokenIds(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new Reject(`${field}: missing`);
  return v.map((t, i) => tokenId(t, `${field}[${i}]`));
}

function timestamp(v: unknown): number {
  let n: number;
  if (typeof v === 'string' && v.length > 0 && v.length <= 16) {
    n = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) throw new Reject('timestamp: not an integer');
      n = n * 10 + c;
    }
  } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) n = v;
  else throw new Reject(v === undefined ? 'timestamp: missing' : 'timestamp: invalid');
  return n;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function bookSide(v: unknown, field: string): BookSide {
  if (v === 'BUY' || v === 'buy') return 'bid';
  if (v === 'SELL' || v === 'sell') return 'ask';
  throw new Reject(`${field}: invalid side`);
}

/** Parses one ladder, sorted best first, duplicate prices resolved last-wins, size-0 levels dropped. */
function ladder(v: unknown, field: string, desc: boolean): Level[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Reject(`${field}: not an array`);
  const out: Level[] = [];
  let ordered = true; // wire order already best first
  let reversed = true; // wire order worst first (REST / usual WS order)
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!isObj(l)) throw new Reject(`${field}[${i}]: not an object`);
    const lv: Level = {
      price: price(l.price, `${field}[${i}].price`),
      size: size(l.size, `${field}[${i}].size`),
    };
    const prev = out[out.length - 1];
    if (prev !== undefined) {
      const d = desc ? prev.price - lv.price : lv.price - prev.price;
      if (d <= 0) ordered = false;
      if (d >= 0) reversed = false;
    }
    out.push(lv);
  }
  if (reversed && !ordered) out.reverse();
  else if (!ordered) {
    // Stable sort; for equal prices the wire's last occurrence must win.
    const idx = out.map((l, i) => ({ l, i }));
    idx.sort((a, b) => (desc ? b.l.price - a.l.price : a.l.price - b.l.price) || b.i - a.i);
    const dedup: Level[] = [];
    for (const { l } of idx) if (dedup[dedup.length - 1]?.price !== l.price) dedup.push(l);
    return dedup.filter((l) => l.size !== 0);
  }
  for (const l of out) if (l.size === 0) return out.filter((x) => x.size !== 0);
  return out;
}

function levelEvent(e: Obj, assetId: unknown, conditionId: string, ts: number, f: string): MarketEvent {
  const bestBid = optPrice(e.best_bid, `${f}.best_bid`);
  const bestAsk = optPrice(e.best_ask, `${f}.best_ask`);
  return {
    kind: 'level',
    tokenId: tokenId(assetId, `${f}.asset_id`),
    conditionId,
    side: bookSide(e.side, `${f}.side`),
    price: price(e.price, `${f}.price`),
    size: size(e.size, `${f}.size`),
    // The venue sends best_bid "0" / best_ask "1" (or "") for an empty side.
    bestBid: bestBid === 0 ? null : bestBid,
    bestAsk: bestAsk === MICROS ? null : bestAsk,
    venueTsMs: ts,
  };
}

/** `price_change`, all three eras (current `price_changes[]`, 2024-25 `changes[]`, 2024 flat). */
function priceChange(o: Obj, conditionId: string, out: MarketEvent[], rejected: string[]): void {
  const ts = timestamp(o.timestamp);
  const list = Array.isArray(o.price_changes) ? o.price_changes : Array.isArray(o.changes) ? o.changes : null;
  if (list === null) {
    if (o.price === undefined) throw new Reject('price_change: no price_changes[]');
    out.push(levelEvent(o, o.asset_id, conditionId, ts, 'price_change'));
    return;
  }
  const current = list === o.price_changes;
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    const f = current ? `price_changes[${i}]` : `changes[${i}]`;
    try {
      if (!isObj(e)) throw new Reject(`${f}: not an object`);
      out.push(levelEvent(e, current ? e.asset_id : o.asset_id, conditionId, ts, f));
    } catch (err) {
      rejected.push(err instanceof Reject ? err.reason : `${f}: ${String(err)}`);
    }
  }
}

function parseObject(o: Obj, out: MarketEvent[], rejected: string[]): void {
  let type = o.event_type;
  if (type === undefined && (o.bids !== undefined || o.asks !== undefined)) type = 'book';
  const conditionId = str(o.market);
  switch (type) {
    case 'book':
      out.push({
        kind: 'book',
        tokenId: tokenId(o.asset_id, 'asset_id'),
        conditionId,
        bids: ladder(o.bids, 'bids', true),
        asks: ladder(o.asks, 'asks', false),
        tickSize: o.tick_size === undefined || o.tick_size === '' ? null : tick(o.tick_size, 'tick_size'),
        venueTsMs: timestamp(o.timestamp),
        hash: typeof o.hash === 'string' && o.hash.length > 0 ? o.hash : null,
      });
      return;
    case 'price_change':
      return priceChange(o, conditionId, out, rejected);
    case 'tick_size_change': {
      const newTickSize = tick(o.new_tick_size, 'new_tick_size');
      const old = o.old_tick_size;
      out.push({
        kind: 'tick_size',
        tokenId: tokenId(o.asset_id, 'asset_id'),
        conditionId,
        // A missing old tick is tolerated (the new one is what matters).
        oldTickSize: old === undefined || old === '' ? newTickSize : tick(old, 'old_tick_size'),
        newTickSize,
        venueTsMs: timestamp(o.timestamp),
      });
      return;
    }
    case 'last_trade_price': {
      const sz = decimal(o.size, 'size');
      if (sz !== null && sz < 0) throw new Reject('size: negative size');
      out.push({
        kind: 'last_trade',
        tokenId: tokenId(o.asset_id, 'asset_id'),
        conditionId,
        price: price(o.price, 'price'),
        size: sz,
        side: o.side === 'BUY' || o.side === 'SELL' ? o.side : null,
        venueTsMs: timestamp(o.timestamp),
      });
      return;
    }
    case 'best_bid_ask': {
      const bestBid = optPrice(o.best_bid, 'best_bid');
      const bestAsk = optPrice(o.best_ask, 'best_ask');
      out.push({
        kind: 'best_bid_ask',
        tokenId: tokenId(o.asset_id, 'asset_id'),
        conditionId,
        bestBid: bestBid === 0 ? null : bestBid,
        bestAsk: bestAsk === MICROS ? null : bestAsk,
        venueTsMs: timestamp(o.timestamp),
      });
      return;
    }
    case 'market_resolved':
      out.push({
        kind: 'market_resolved',
        conditionId,
        tokenIds: tokenIds(o.assets_ids, 'assets_ids'),
        winningTokenId: tokenId(o.winning_asset_id, 'winning_asset_id'),
        venueTsMs: timestamp(o.timestamp),
      });
      return;
    case 'new_market':
      out.push({
        kind: 'new_market',
        conditionId: conditionId !== '' ? conditionId : str(o.condition_id),
        slug: str(o.slug),
        tokenIds: tokenIds(o.assets_ids ?? o.clob_token_ids, 'assets_ids'),
        venueTsMs: timestamp(o.timestamp),
      });
      return;
    default:
      throw new Reject(
        typeof type === 'string' ? `unknown event_type: ${type.slice(0, 40)}` : 'missing event_type',
      );
  }
}

/**
 * Parses one market-channel text frame: `PONG` (any case, surrounding blanks allowed), one JSON
 * object, or a JSON array of objects. Each object gives zero or more events (a `price_change`
 * gives one `level` event per entry); unusable objects or entries are listed in `rejected` with a
 * reason (bad JSON, unknown or missing `event_type`, missing/invalid field, price outside [0, 1],
 * negative size, tick size outside {0.1, 0.01, 0.001, 0.0001, 0.005, 0.0025}). Book ladders come
 * back sorted best first (bids descending, asks ascending) whatever the wire order, with duplicate
 * prices resolved last-wins and size-0 levels dropped.
 * Never throws.
 */
export function parseMarketFrame(text: string): FrameParse {
  if (text.length <= 8) {
    const t = text.trim();
    if (t.length === 4 && t.toUpperCase() === 'PONG') return { events: [], rejected: [], pong: true };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { events: [], rejected: ['invalid JSON'], pong: false };
  }
  const events: MarketEvent[] = [];
  const rejected: string[] = [];
  const list: readonly unknown[] = Array.isArray(doc) ? doc : [doc];
  for (let i = 0; i < list.length; i++) {
    const o = list[i];
    try {
      if (!isObj(o)) throw new Reject('not an object');
      parseObject(o, events, rejected);
    } catch (err) {
      // Only Reject is expected; anything else is still contained (this function never throws).
      rejected.push(err instanceof Reject ? err.reason : `internal: ${String(err)}`);
    }
  }
  return { events, rejected, pong: false };
}
