/**
 * Adapter for the borisz42 BTC-15m recorder CSV (shared data README §1): 1-second REST book
 * snapshots of the UP and DOWN tokens of the current BTC 15-minute window.
 * Mapping to {@link TickRow}: `0.0` price = absent side (→ `null`, and its size → `null`); the
 * top-5 liquidity sum is used as the size at the best level; crypto `BTC`;
 * `windowSec` = Expiration − TargetTime; `windowEpoch` = TargetTime; `tsMs` = Timestamp; spot
 * `null`. The Mid/Spread columns are ignored. Sorting and de-duplication are the loader's job.
 */
import type { TickRow } from '../core/types';
import * as csv from './canonical-csv';
import { TickRowError } from './canonical-csv';

// bound once: the hot per-field helpers (tsx's interop reads named imports through getters)
const { parseMicrosField, validateTickRow } = csv;

/** The exact header line of a borisz42 `market_data_*.csv` file (15 columns). */
export const BORISZ42_HEADER =
  'Timestamp,TargetTime,Expiration,UpBid,UpAsk,UpMid,UpSpread,UpBidLiquidity,UpAskLiquidity,' +
  'DownBid,DownAsk,DownMid,DownSpread,DownBidLiquidity,DownAskLiquidity';

const BORISZ42_FIELDS = 15;

/**
 * The header line of a borisz42 `user_data_*.csv` file (the wallet's trades, shared data README
 * §1): a known companion of the recordings, not tick data; a directory loader skips it quietly.
 */
export const BORISZ42_USER_HEADER = 'timestamp,trade_side,quantity,price,TargetTime,ExpirationTime';

/** Returns whether `line` (a file's first line; a BOM and trailing `\r` are ignored) is the borisz42 header. */
export function isBorisz42Header(line: string): boolean {
  let text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text === BORISZ42_HEADER;
}

/** Returns whether `line` (a file's first line; a BOM and trailing `\r` are ignored) is the borisz42 `user_data` header. */
export function isBorisz42UserHeader(line: string): boolean {
  let text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text === BORISZ42_USER_HEADER;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses a UTC `YYYY-MM-DD HH:MM:SS` timestamp into ms since the epoch.
 * @throws {TickRowError} `malformed` when the text has another shape or an impossible date.
 */
export function parseUtcSecondsText(text: string, column: string): number {
  const shapeOk =
    text.length === 19 &&
    text.charCodeAt(4) === 45 /* - */ &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 /* space */ &&
    text.charCodeAt(13) === 58 /* : */ &&
    text.charCodeAt(16) === 58;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  const h = digits(text, 11, 13);
  const mi = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const dim = mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  // NaN fails every comparison below, so a non-digit anywhere makes `valid` false.
  const valid = shapeOk && mo >= 1 && d >= 1 && d <= dim && h <= 23 && mi <= 59 && s <= 59;
  if (!valid)
    throw new TickRowError(
      `${column}: not a UTC "YYYY-MM-DD HH:MM:SS": ${JSON.stringify(text)}`,
      'malformed',
    );
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

// TargetTime/Expiration repeat on ~900 consecutive rows: remember the last text of each.
let lastTargetText = '';
let lastTargetMs = 0;
let lastExpiryText = '';
let lastExpiryMs = 0;

function targetMs(text: string): number {
  if (text !== lastTargetText) {
    lastTargetMs = parseUtcSecondsText(text, 'TargetTime');
    lastTargetText = text;
  }
  return lastTargetMs;
}

function expiryMs(text: string): number {
  if (text !== lastExpiryText) {
    lastExpiryMs = parseUtcSecondsText(text, 'Expiration');
    lastExpiryText = text;
  }
  return lastExpiryMs;
}

/** A recorded price: `0` means the side is absent (→ `null`). */
function price(text: string, column: string): number | null {
  const v = parseMicrosField(text, column);
  if (v === null) throw new TickRowError(`${column}: empty`, 'malformed');
  return v === 0 ? null : v;
}

/** A recorded top-5 liquidity sum; `null` when its side is absent. */
function size(text: string, column: string, sidePrice: number | null): number | null {
  const v = parseMicrosField(text, column);
  if (v === null) throw new TickRowError(`${column}: empty`, 'malformed');
  return sidePrice === null ? null : v;
}

/**
 * Parses one borisz42 `market_data` data line (no terminator; a trailing `\r` is ignored) into
 * a validated {@link TickRow} (prices/sizes in micros, `tsMs` in ms, `windowEpoch` in unix s).
 * @throws {TickRowError} (an `InputError`) with the reason: `malformed` (field count, number or
 *   timestamp syntax, Expiration not after TargetTime), `outOfRange`
 *   (price outside [0, 1], negative liquidity), `crossed` (bid > ask on the same token).
 */
export function parseBorisz42Line(line: string): TickRow {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const f = text.split(',');
  if (f.length !== BORISZ42_FIELDS) {
    throw new TickRowError(`expected ${BORISZ42_FIELDS} fields, got ${f.length}`, 'malformed');
  }
  const tsMs = parseUtcSecondsText(f[0] as string, 'Timestamp');
  const startMs = targetMs(f[1] as string);
  const endMs = expiryMs(f[2] as string);
  if (endMs <= startMs) throw new TickRowError('Expiration is not after TargetTime', 'malformed');
  const upBid = price(f[3] as string, 'UpBid');
  const upAsk = price(f[4] as string, 'UpAsk');
  const downBid = price(f[9] as string, 'DownBid');
  const downAsk = price(f[10] as string, 'DownAsk');
  const row: TickRow = {
    tsMs,
    crypto: 'BTC',
    windowSec: (endMs - startMs) / 1000,
    windowEpoch: startMs / 1000,
    upBid,
    upAsk,
    upBidSize: size(f[7] as string, 'UpBidLiquidity', upBid),
    upAskSize: size(f[8] as string, 'UpAskLiquidity', upAsk),
    downBid,
    downAsk,
    downBidSize: size(f[13] as string, 'DownBidLiquidity', downBid),
    downAskSize: size(f[14] as string, 'DownAskLiquidity', downAsk),
    spot: null,
  };
  validateTickRow(row);
  return row;
}
