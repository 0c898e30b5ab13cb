/**
 * Integer money and price helpers. Every price, size and notional inside the core is an
 * integer number of micro-units (1e-6): prices in micro-USDC per share (0..1_000_000),
 * sizes in micro-shares, notionals in micro-USDC. This matches the venue's 6-decimal base
 * units (polymarket-protocol.md §6.1) and lets every threshold be an integer comparison
 * (issue #2).
 */

/** Micro-units per whole unit (1 USDC = 1 share = 1_000_000 micros). */
export const MICROS = 1_000_000;

/**
 * Parses a decimal string (e.g. `"0.895"`, `"6151.04"`, `"-1.5"`, `"1e-3"`) into integer micros,
 * rounding half away from zero past the 6th decimal.
 * Returns `null` for an empty string.
 * @throws {RangeError} when the text is not a finite decimal number.
 */
export function parseMicros(text: string): number | null {
  if (text.length === 0) return null;
  const fast = plainMicros(text);
  if (fast >= 0) return fast;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (m === null || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    const f = Number(text);
    if (!Number.isFinite(f)) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
    return Math.round(f * MICROS);
  }
  const neg = m[1] === '-';
  const whole = m[2] === '' ? 0 : Number(m[2]);
  const frac = m[3] ?? '';
  let micros = whole * MICROS + Number((frac.slice(0, 6) + '000000').slice(0, 6));
  if (frac.length > 6 && frac.charCodeAt(6) >= 53 /* '5' */) micros += 1;
  if (!Number.isSafeInteger(micros)) throw new RangeError(`number out of range: ${JSON.stringify(text)}`);
  return neg ? -micros : micros;
}

/**
 * Fast path of {@link parseMicros} for the usual form of prices and sizes on the wire and in CSV:
 * `123`, `0.48`, `.48` (at most 9 integer digits and 6 decimals). Returns the micros, or −1 for
 * anything else (left to the general parser). Integer arithmetic only: `scale` stays an integer.
 */
function plainMicros(v: string): number {
  let whole = 0;
  let frac = 0;
  let scale = MICROS;
  let i = 0;
  const n = v.length;
  for (; i < n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
  }
  if (i > 9) return -1;
  if (i < n) {
    if (v.charCodeAt(i) !== 46 || i === n - 1 || n - i - 1 > 6) return -1;
    for (i++; i < n; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      scale /= 10;
      frac += c * scale;
    }
  }
  return whole * MICROS + frac;
}

/** Converts integer micros to a JS number in whole units (e.g. 895000 → 0.895). */
export function fromMicros(micros: number): number {
  return micros / MICROS;
}

/** Converts a whole-unit number to integer micros with `Math.round` (e.g. 0.895 → 895000). */
export function toMicros(value: number): number {
  return Math.round(value * MICROS);
}

/** Formats integer micros as a minimal decimal string (e.g. 895000 → "0.895", 1000000 → "1"). */
export function formatMicros(micros: number): string {
  const neg = micros < 0;
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS);
  const frac = (abs % MICROS).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac.length > 0 ? '.' + frac : ''}`;
}

/** Rounds `micros` down to a multiple of `step` micros (both non-negative integers). */
export function floorTo(micros: number, step: number): number {
  return Math.floor(micros / step) * step;
}

/** Rounds `micros` up to a multiple of `step` micros (both non-negative integers). */
export function ceilTo(micros: number, step: number): number {
  return Math.ceil(micros / step) * step;
}

/**
 * Multiplies a share amount by a price, both in micros, giving micro-USDC rounded down
 * (what a taker is sure to receive or pay at most). Exact for amounts below ~9e9 shares.
 */
export function notionalFloor(sharesMicros: number, priceMicros: number): number {
  return Number((BigInt(sharesMicros) * BigInt(priceMicros)) / 1_000_000n);
}

/**
 * Venue tick grid for a price (micro-USDC): 0.001 above 0.96 or below 0.04, else 0.01
 * (polymarket-protocol.md §6.2: up/down windows switch to 0.001 near the extremes).
 */
export function tickSizeFor(priceMicros: number): number {
  return priceMicros > 960_000 || priceMicros < 40_000 ? 1_000 : 10_000;
}
