/**
 * Window slugs and epochs of the crypto Up/Down markets (polymarket-protocol.md §2.2) for
 * BTC/ETH/SOL/XRP and 5m/15m/1h/4h windows. Slug shapes differ by interval:
 * - 5m, 15m, 4h: `<crypto>-updown-<interval>-<startEpochSec>` (e.g. `btc-updown-15m-1778583600`).
 * - 1h: `<coin name>-up-or-down-<month>-<day>[-<year>]-<h>am|pm-et`, the start hour in US Eastern
 *   time (e.g. `bitcoin-up-or-down-june-19-2026-8am-et`); older slugs omit the year. These resolve
 *   on a Binance 1h candle, not on Chainlink.
 * Grids: 5m/15m/1h starts are multiples of the interval in unix seconds. 4h starts follow US-Eastern
 * wall-clock boundaries (00, 04, …, 20 ET): multiples of 14400 s during EDT but offset by 3600 s
 * during EST (e.g. `btc-updown-4h-1769288400` = 2026-01-24 16:00 EST); observed in public slugs,
 * behaviour on DST-switch days UNCONFIRMED.
 */
import { ConfigError, InputError } from '../core/errors';
import { windowSlug } from '../core/ids';
import type { WindowRef } from '../core/types';

/** Supported assets (upper case, as in {@link WindowRef.crypto}). */
export const CRYPTOS = ['BTC', 'ETH', 'SOL', 'XRP'] as const;
/** A supported asset. */
export type Crypto = (typeof CRYPTOS)[number];
/** Supported interval labels. */
export const INTERVALS = ['5m', '15m', '1h', '4h'] as const;
/** A supported interval label. */
export type Interval = (typeof INTERVALS)[number];

const INTERVAL_SEC: Readonly<Record<Interval, number>> = { '5m': 300, '15m': 900, '1h': 3600, '4h': 14400 };
const LONG_NAME: Readonly<Record<Crypto, string>> = {
  BTC: 'bitcoin',
  ETH: 'ethereum',
  SOL: 'solana',
  XRP: 'xrp',
};
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

/** Returns the window length in seconds of an interval label: `'15m'` → 900. */
export function intervalSec(interval: Interval): number {
  return INTERVAL_SEC[interval];
}

/** Returns the interval label of a supported window length in seconds, or `null`: 900 → `'15m'`. */
export function intervalOf(windowSec: number): Interval | null {
  for (const i of INTERVALS) if (INTERVAL_SEC[i] === windowSec) return i;
  return null;
}

function isCrypto(c: string): c is Crypto {
  return (CRYPTOS as readonly string[]).includes(c);
}

/** Unix seconds of the n-th Sunday (n ≥ 1) of month `m` (0-based) of `year`, 00:00 UTC. */
function nthSundayUtc(year: number, m: number, n: number): number {
  const first = new Date(Date.UTC(year, m, 1)).getUTCDay();
  return Date.UTC(year, m, 1 + ((7 - first) % 7) + 7 * (n - 1)) / 1000;
}

/**
 * Returns the US-Eastern UTC offset in seconds at `epochSec` (unix s): −14400 (EDT) from the second
 * Sunday of March 07:00 UTC to the first Sunday of November 06:00 UTC, else −18000 (EST)
 * (US rules since 2007).
 */
export function etOffsetSec(epochSec: number): number {
  const year = new Date(epochSec * 1000).getUTCFullYear();
  const start = nthSundayUtc(year, 2, 2) + 7 * 3600;
  const end = nthSundayUtc(year, 10, 1) + 6 * 3600;
  return epochSec >= start && epochSec < end ? -14400 : -18000;
}

/** True when `epochSec` (unix s) is a window start of a `windowSec`-long window (see module doc). */
export function isWindowStart(windowSec: number, epochSec: number): boolean {
  if (!Number.isSafeInteger(epochSec) || intervalOf(windowSec) === null) return false;
  if (windowSec !== 14400) return epochSec % windowSec === 0;
  return epochSec % 3600 === 0 && (epochSec + etOffsetSec(epochSec)) % 14400 === 0;
}

/** Options of {@link parseSlug}. */
export interface ParseSlugOptions {
  /** Reference time (ms) used to pick the year of a yearless 1h slug (the closest start wins). */
  readonly refMs?: number;
}

/**
 * Parses a window slug (see module doc) into its window, or returns `null` for anything else:
 * another asset or interval, a daily market, a start off the interval's grid, a non-existent ET
 * hour, or a yearless 1h slug without `opts.refMs`.
 */
export function parseSlug(slug: string, opts: ParseSlugOptions = {}): WindowRef | null {
  const parts = slug.split('-');
  if (parts.length === 4 && parts[1] === 'updown') {
    const crypto = (parts[0] ?? '').toUpperCase();
    const interval = parts[2] ?? '';
    const digits = parts[3] ?? '';
    if (!isCrypto(crypto) || interval === '1h' || !(INTERVALS as readonly string[]).includes(interval))
      return null;
    if (!/^[1-9]\d{0,11}$/.test(digits)) return null;
    const windowSec = INTERVAL_SEC[interval as Interval];
    const windowEpoch = Number(digits);
    return isWindowStart(windowSec, windowEpoch) ? { crypto, windowSec, windowEpoch } : null;
  }
  const m = /^([a-z]+)-up-or-down-([a-z]+)-(\d{1,2})(?:-(\d{4}))?-(\d{1,2})(am|pm)-et$/.exec(slug);
  if (m === null) return null;
  const crypto = CRYPTOS.find((c) => LONG_NAME[c] === m[1]);
  const month = MONTHS.indexOf((m[2] ?? '') as (typeof MONTHS)[number]);
  const day = Number(m[3]);
  const h12 = Number(m[5]);
  if (crypto === undefined || month < 0 || day < 1 || day > 31 || h12 < 1 || h12 > 12) return null;
  const hour = (h12 % 12) + (m[6] === 'pm' ? 12 : 0);
  const at = (year: number): number | null => etWallClockToEpoch(year, month, day, hour);
  let epoch: number | null;
  if (m[4] !== undefined) epoch = at(Number(m[4]));
  else {
    if (opts.refMs === undefined) return null;
    const ref = opts.refMs / 1000;
    const y = new Date(opts.refMs).getUTCFullYear();
    const cands = [y - 1, y, y + 1].map(at).filter((e): e is number => e !== null);
    cands.sort((a, b) => Math.abs(a - ref) - Math.abs(b - ref));
    epoch = cands[0] ?? null;
  }
  return epoch === null ? null : { crypto, windowSec: 3600, windowEpoch: epoch };
}

/** Unix seconds of an ET wall-clock time, or null when it does not exist (day overflow, DST gap). */
function etWallClockToEpoch(year: number, month: number, day: number, hour: number): number | null {
  const local = Date.UTC(year, month, day, hour) / 1000;
  const d = new Date(local * 1000);
  if (d.getUTCMonth() !== month || d.getUTCDate() !== day) return null;
  for (const off of [-14400, -18000]) {
    const epoch = local - off;
    if (etOffsetSec(epoch) === off) return epoch;
  }
  return null;
}

/**
 * Returns the market slug of a window (see module doc for the shapes).
 * @throws {InputError} for an unsupported asset or interval, or a start off the interval's grid.
 */
export function slugFor(w: WindowRef): string {
  const interval = intervalOf(w.windowSec);
  if (!isCrypto(w.crypto) || interval === null) {
    throw new InputError(`no slug for ${w.crypto} ${w.windowSec}s windows: unsupported asset or interval`);
  }
  if (!isWindowStart(w.windowSec, w.windowEpoch)) {
    throw new InputError(`window start ${w.windowEpoch} is not on the ${interval} grid`);
  }
  if (interval !== '1h') return windowSlug(w);
  const local = new Date((w.windowEpoch + etOffsetSec(w.windowEpoch)) * 1000);
  const h = local.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const month = MONTHS[local.getUTCMonth()] ?? '';
  return `${LONG_NAME[w.crypto]}-up-or-down-${month}-${local.getUTCDate()}-${local.getUTCFullYear()}-${h12}${h < 12 ? 'am' : 'pm'}-et`;
}

/** Most window starts {@link windowEpochsBetween} returns before it refuses the range. */
export const MAX_WINDOWS = 100_000;

/**
 * Returns the window starts (unix s, ascending, on the interval's grid; see module doc for 4h)
 * whose windows `[start, start + windowSec)` overlap the closed range `[fromMs, toMs]` (ms).
 * Returns `[]` when `fromMs > toMs`.
 * @throws {InputError} for an unsupported `windowSec`, non-finite bounds, or more than
 *   {@link MAX_WINDOWS} windows.
 */
export function windowEpochsBetween(windowSec: number, fromMs: number, toMs: number): number[] {
  if (intervalOf(windowSec) === null) throw new InputError(`unsupported window length ${windowSec}s`);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new InputError('window range must be finite');
  if (fromMs > toMs) return [];
  const step = windowSec === 14400 ? 3600 : windowSec;
  if ((toMs - fromMs) / 1000 / step > MAX_WINDOWS)
    throw new InputError(`range spans more than ${MAX_WINDOWS} windows`);
  const out: number[] = [];
  // First candidate: the grid point at or before (fromMs - windowSec) so earlier overlapping windows count.
  let s = Math.floor((fromMs / 1000 - windowSec) / step) * step;
  for (; s * 1000 <= toMs; s += step) {
    if ((s + windowSec) * 1000 > fromMs && isWindowStart(windowSec, s)) out.push(s);
  }
  return out;
}

/** Parses `15m,1h` into window lengths in seconds. @throws {ConfigError} on an unknown interval. */
export function parseIntervals(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!['5m', '15m', '1h', '4h'].includes(s))
        throw new ConfigError(`unknown interval ${s}: use 5m, 15m, 1h or 4h`);
      return intervalSec(s as Interval);
    });
}
