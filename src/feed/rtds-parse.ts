/**
 * Pure parser of RTDS text frames (polymarket-protocol.md §4) into {@link SpotPrice}s: updates of
 * `crypto_prices` (Binance, `btcusdt`), `crypto_prices_chainlink` (`btc/usd`) and the Chainlink
 * TWAP topics (`crypto_prices_twap_thirty` / `_sixty`), plus the subscribe snapshot
 * `payload: {symbol, data:[{timestamp, value}]}`. The snapshot's `topic` is unreliable (a live
 * Chainlink snapshot arrived labelled `crypto_prices`), so snapshots are routed by symbol shape:
 * `a/b` → `crypto_prices_chainlink`, else `crypto_prices`. Never throws.
 */
import type { SpotPrice } from '../core/market-events';

/** What one RTDS frame gave. */
export interface RtdsParse {
  /** Prices in frame order (snapshot points oldest first as sent). */
  readonly prices: SpotPrice[];
  /** Reasons for dropped frames, envelopes or points. */
  readonly rejected: string[];
  /** True for the keepalive answer `PONG` / `pong`. */
  readonly pong: boolean;
}

/** Topics whose payload is a price point. */
export const PRICE_TOPICS: ReadonlySet<string> = new Set([
  'crypto_prices',
  'crypto_prices_chainlink',
  'crypto_prices_twap_thirty',
  'crypto_prices_twap_sixty',
]);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Milliseconds from a number or an integer string; null when unusable. */
function ms(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function positive(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 60) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function point(
  topic: string,
  symbol: string,
  p: Obj,
  where: string,
  out: SpotPrice[],
  rejected: string[],
): void {
  const tsMs = ms(p.timestamp);
  const value = positive(p.value);
  if (tsMs === null || value === null) {
    rejected.push(`${where}: ${tsMs === null ? 'timestamp' : 'value'} invalid`);
    return;
  }
  // Chainlink topics send the exact price ×1e18 as an integer string; Binance a plain decimal.
  const fav = p.full_accuracy_value;
  let valueE18: string | null = null;
  if (typeof fav === 'string' && symbol.includes('/') && isDigits(fav)) {
    if (Math.abs(Number(fav) / 1e18 - value) > value * 1e-6) {
      rejected.push(`${where}: full_accuracy_value disagrees with value`);
      return;
    }
    valueE18 = fav;
  }
  out.push({ topic, symbol, tsMs, value, valueE18 });
}

function envelope(e: unknown, where: string, out: SpotPrice[], rejected: string[]): void {
  if (!isObj(e)) {
    rejected.push(`${where}: not an object`);
    return;
  }
  const payload = e.payload;
  if (!isObj(payload)) {
    rejected.push(`${where}: no payload`);
    return;
  }
  const symbol = typeof payload.symbol === 'string' ? payload.symbol.toLowerCase() : '';
  if (symbol === '') {
    rejected.push(`${where}: no symbol`);
    return;
  }
  if (Array.isArray(payload.data)) {
    const topic = symbol.includes('/') ? 'crypto_prices_chainlink' : 'crypto_prices';
    payload.data.forEach((p: unknown, i) => {
      if (isObj(p)) point(topic, symbol, p, `${where}.data[${i}]`, out, rejected);
      else rejected.push(`${where}.data[${i}]: not an object`);
    });
    return;
  }
  const topic = e.topic;
  if (typeof topic !== 'string' || !PRICE_TOPICS.has(topic)) {
    rejected.push(`${where}: unsupported topic ${typeof topic === 'string' ? topic.slice(0, 40) : '(none)'}`);
    return;
  }
  point(topic, symbol, payload, where, out, rejected);
}

/**
 * Parses one RTDS text frame (an envelope or an array of envelopes; `PONG` in any case) into
 * price points with the observation time (`payload.timestamp`, ms). Drops, with a reason in
 * `rejected`: bad JSON, envelopes without a payload or symbol, topics other than
 * {@link PRICE_TOPICS}, points with a non-positive value or timestamp, and Chainlink points whose
 * `full_accuracy_value` (×1e18) disagrees with `value` by more than 1 ppm. Never throws.
 */
export function parseRtdsFrame(text: string): RtdsParse {
  const t = text.length <= 8 ? text.trim() : '';
  if (t.length === 4 && t.toUpperCase() === 'PONG') return { prices: [], rejected: [], pong: true };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { prices: [], rejected: ['invalid JSON'], pong: false };
  }
  const prices: SpotPrice[] = [];
  const rejected: string[] = [];
  if (Array.isArray(doc)) doc.forEach((e: unknown, i) => envelope(e, `[${i}]`, prices, rejected));
  else envelope(doc, 'frame', prices, rejected);
  return { prices, rejected, pong: false };
}
