/**
 * Canonical tick CSV (issue #2): one row = top of book of both tokens of one window at `ts_ms`.
 * Prices are decimal USDC per share in [0, 1], sizes decimal shares, `spot` a float in USD;
 * an empty field means absent (prices: "no bid"/"no ask") or unknown (sizes, spot).
 * Parsing maps the row to a {@link TickRow} with integer micros; formatting is its exact inverse.
 */
import { InputError } from '../core/errors';
import { formatMicros, MICROS, parseMicros as parseMicrosImport } from '../core/money';

// bound once: called for every field of every row (tsx's interop reads imports through getters)
const parseMicros = parseMicrosImport;
import type { TickRow } from '../core/types';

/** The exact header line of a canonical tick CSV (13 columns, no trailing comma). */
export const CANONICAL_HEADER =
  'ts_ms,crypto,window_sec,window_epoch,up_bid,up_ask,up_bid_size,up_ask_size,down_bid,down_ask,down_bid_size,down_ask_size,spot';

const CANONICAL_FIELDS = 13;
/** An asset symbol: ASCII letters and digits (case is the loader's check, issue #9). */
const CRYPTO_SYNTAX = /^[A-Za-z0-9]{1,16}$/;

/** Why a data row was refused: unparseable, a crossed top of book, or a value out of range. */
export type RowProblem = 'malformed' | 'crossed' | 'outOfRange';

/**
 * A data row that cannot be used. The loader drops such a row and counts it under `problem`;
 * it never aborts a file for one bad row.
 */
export class TickRowError extends InputError {
  override name = 'TickRowError';
  /** The counter the loader increments for this row. */
  readonly problem: RowProblem;

  /** Creates a row error with a short reason and the problem class. */
  constructor(message: string, problem: RowProblem, options?: { cause?: unknown }) {
    super(message, options);
    this.problem = problem;
  }
}

/**
 * Parses a decimal price or size field into integer micros; `""` → `null`; `-0` becomes `0`.
 * @throws {TickRowError} `malformed` when the text is not a decimal number.
 */
export function parseMicrosField(text: string, column: string): number | null {
  let v: number | null;
  try {
    v = parseMicros(text);
  } catch (cause) {
    throw new TickRowError(`${column}: not a decimal number: ${JSON.stringify(text)}`, 'malformed', {
      cause,
    });
  }
  return v === 0 ? 0 : v;
}

/**
 * Parses a non-negative integer field made of ASCII digits only (no sign, blanks or exponent).
 * @throws {TickRowError} `malformed` when the text is empty, not all digits, or not a safe integer.
 */
export function parseUintField(text: string, column: string): number {
  const n = text.length;
  let ok = n > 0 && n <= 16;
  for (let i = 0; ok && i < n; i++) {
    const c = text.charCodeAt(i);
    ok = c >= 48 && c <= 57;
  }
  const v = ok ? Number(text) : NaN;
  if (!Number.isSafeInteger(v)) {
    throw new TickRowError(`${column}: not a non-negative integer: ${JSON.stringify(text)}`, 'malformed');
  }
  return v;
}

function checkPrice(v: number | null, column: string): void {
  if (v !== null && (v < 0 || v > MICROS)) {
    throw new TickRowError(`${column}: price ${formatMicros(v)} outside [0, 1]`, 'outOfRange');
  }
}

function checkSize(v: number | null, column: string): void {
  if (v !== null && v < 0)
    throw new TickRowError(`${column}: negative size ${formatMicros(v)}`, 'outOfRange');
}

/**
 * Checks the invariants every kept row satisfies: prices in [0, 1_000_000] micros, sizes and
 * spot non-negative, and no crossed top of book (bid > ask on the same token; equal is allowed).
 * @throws {TickRowError} `outOfRange` or `crossed`.
 */
export function validateTickRow(row: TickRow): void {
  checkPrice(row.upBid, 'up_bid');
  checkPrice(row.upAsk, 'up_ask');
  checkPrice(row.downBid, 'down_bid');
  checkPrice(row.downAsk, 'down_ask');
  checkSize(row.upBidSize, 'up_bid_size');
  checkSize(row.upAskSize, 'up_ask_size');
  checkSize(row.downBidSize, 'down_bid_size');
  checkSize(row.downAskSize, 'down_ask_size');
  if (row.spot !== null && row.spot < 0) throw new TickRowError(`spot: negative ${row.spot}`, 'outOfRange');
  if (row.upBid !== null && row.upAsk !== null && row.upBid > row.upAsk) {
    throw new TickRowError(
      `UP crossed: bid ${formatMicros(row.upBid)} > ask ${formatMicros(row.upAsk)}`,
      'crossed',
    );
  }
  if (row.downBid !== null && row.downAsk !== null && row.downBid > row.downAsk) {
    const msg = `DOWN crossed: bid ${formatMicros(row.downBid)} > ask ${formatMicros(row.downAsk)}`;
    throw new TickRowError(msg, 'crossed');
  }
}

function parseSpot(text: string): number | null {
  if (text.length === 0) return null;
  const v = Number(text);
  if (!Number.isFinite(v) || text.trim() !== text) {
    throw new TickRowError(`spot: not a number: ${JSON.stringify(text)}`, 'malformed');
  }
  return v === 0 ? 0 : v;
}

/**
 * Parses one canonical data line (without its line terminator; a trailing `\r` is ignored)
 * into a validated {@link TickRow}: prices and sizes in integer micros, `ts_ms` in ms,
 * `window_epoch` in unix seconds, `window_sec` > 0, `crypto` 1–16 ASCII letters or digits (any
 * case: the loader refuses a lower-case one and windows off the venue's grid, `./venue-window`).
 * @throws {TickRowError} (an {@link InputError}) with the reason: `malformed` (field count,
 *   numbers, crypto syntax), `outOfRange` (price outside [0, 1], negative size or spot),
 *   `crossed` (bid > ask on the same token).
 */
export function parseCanonicalLine(line: string): TickRow {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const f = text.split(',');
  if (f.length !== CANONICAL_FIELDS) {
    throw new TickRowError(`expected ${CANONICAL_FIELDS} fields, got ${f.length}`, 'malformed');
  }
  const crypto = f[1] as string;
  if (!CRYPTO_SYNTAX.test(crypto))
    throw new TickRowError(
      `crypto: not 1–16 ASCII letters or digits: ${JSON.stringify(crypto)}`,
      'malformed',
    );
  const windowSec = parseUintField(f[2] as string, 'window_sec');
  if (windowSec === 0) throw new TickRowError('window_sec: must be > 0', 'malformed');
  const row: TickRow = {
    tsMs: parseUintField(f[0] as string, 'ts_ms'),
    crypto,
    windowSec,
    windowEpoch: parseUintField(f[3] as string, 'window_epoch'),
    upBid: parseMicrosField(f[4] as string, 'up_bid'),
    upAsk: parseMicrosField(f[5] as string, 'up_ask'),
    upBidSize: parseMicrosField(f[6] as string, 'up_bid_size'),
    upAskSize: parseMicrosField(f[7] as string, 'up_ask_size'),
    downBid: parseMicrosField(f[8] as string, 'down_bid'),
    downAsk: parseMicrosField(f[9] as string, 'down_ask'),
    downBidSize: parseMicrosField(f[10] as string, 'down_bid_size'),
    downAskSize: parseMicrosField(f[11] as string, 'down_ask_size'),
    spot: parseSpot(f[12] as string),
  };
  validateTickRow(row);
  return row;
}

function fmt(v: number | null): string {
  return v === null ? '' : formatMicros(v);
}

/**
 * Formats a row as one canonical data line (no terminator): micros via `formatMicros`
 * (minimal decimals), `null` → empty field, `spot` via `String` (shortest exact float).
 * `parseCanonicalLine(formatCanonicalRow(row))` deep-equals `row` for every valid row.
 * The row is not validated here; `crypto` must not contain `,` or a line break.
 */
export function formatCanonicalRow(row: TickRow): string {
  return (
    `${row.tsMs},${row.crypto},${row.windowSec},${row.windowEpoch},` +
    `${fmt(row.upBid)},${fmt(row.upAsk)},${fmt(row.upBidSize)},${fmt(row.upAskSize)},` +
    `${fmt(row.downBid)},${fmt(row.downAsk)},${fmt(row.downBidSize)},${fmt(row.downAskSize)},` +
    `${row.spot === null ? '' : String(row.spot)}`
  );
}
