import { InputError } from '../../src/core/errors';
import { parseMicros } from '../../src/core/money';
import type { TickRow } from '../../src/core/types';
import {
  CANONICAL_HEADER,
  formatCanonicalRow,
  parseCanonicalLine,
  parseMicrosField,
  TickRowError,
} from '../../src/feed/canonical-csv';

const FULL = '1766745254000,BTC,900,1766745000,0.09,0.11,6151.04,4386.31,0.89,0.9,4296.39,3898.01,87123.45';

function problemOf(line: string): string {
  try {
    parseCanonicalLine(line);
  } catch (err) {
    expect(err).toBeInstanceOf(TickRowError);
    expect(err).toBeInstanceOf(InputError);
    return (err as TickRowError).problem;
  }
  throw new Error(`expected ${line} to be refused`);
}

describe('canonical tick CSV', () => {
  it('has the issue #2 header', () => {
    expect(CANONICAL_HEADER.split(',')).toHaveLength(13);
    expect(CANONICAL_HEADER.startsWith('ts_ms,crypto,window_sec,window_epoch,up_bid,')).toBe(true);
  });

  it('parses a full row into exact micros', () => {
    expect(parseCanonicalLine(FULL)).toEqual({
      tsMs: 1766745254000,
      crypto: 'BTC',
      windowSec: 900,
      windowEpoch: 1766745000,
      upBid: 90_000,
      upAsk: 110_000,
      upBidSize: 6_151_040_000,
      upAskSize: 4_386_310_000,
      downBid: 890_000,
      downAsk: 900_000,
      downBidSize: 4_296_390_000,
      downAskSize: 3_898_010_000,
      spot: 87123.45,
    });
    expect(parseCanonicalLine(FULL.replace('0.89,', '0.895,')).downBid).toBe(895_000);
  });

  it('maps empty fields to null and ignores a trailing CR', () => {
    const row = parseCanonicalLine('1000,ETH,300,0,,0.5,,,0.4,,12,,\r');
    expect(row).toMatchObject({ upBid: null, upAsk: 500_000, upBidSize: null, upAskSize: null });
    expect(row).toMatchObject({ downBid: 400_000, downAsk: null, downBidSize: 12_000_000, spot: null });
  });

  it('round-trips format → parse exactly and keeps minimal lines byte-identical', () => {
    const lines = [
      FULL,
      '1000,ETH,300,0,,0.5,,,0.4,,12,,',
      '5,SOL,3600,1,0,1,0,0.000001,1,1,123456789.123456,7,0.1',
    ];
    for (const line of lines) {
      const row = parseCanonicalLine(line);
      expect(formatCanonicalRow(row)).toBe(line);
      expect(parseCanonicalLine(formatCanonicalRow(row))).toEqual(row);
    }
    const odd: TickRow = { ...parseCanonicalLine(FULL), spot: 0.1 + 0.2, upBid: null, downAskSize: 1 };
    expect(parseCanonicalLine(formatCanonicalRow(odd))).toEqual(odd);
  });

  it('parses fields like parseMicros, including the non-plain shapes', () => {
    const samples = [
      '0',
      '0.0',
      '1',
      '1.',
      '.5',
      '0.895',
      '6151.04',
      '007.1',
      '0.1234565',
      '1e-3',
      '1234567890.5',
      ' 1',
    ];
    for (const s of samples) expect(parseMicrosField(s, 'x')).toBe(parseMicros(s));
    for (let i = 0; i < 2000; i++) {
      const s = (Math.floor(i * 7919) % 100000).toString() + '.' + String(i * 31).slice(0, 1 + (i % 7));
      expect(parseMicrosField(s, 'x')).toBe(parseMicros(s));
    }
    expect(Object.is(parseMicrosField('-0', 'x'), 0)).toBe(true);
  });

  it('refuses malformed lines', () => {
    expect(problemOf('1,BTC,900,0,0.1,0.2')).toBe('malformed');
    expect(problemOf(FULL + ',')).toBe('malformed');
    expect(problemOf(FULL.replace('0.09', 'abc'))).toBe('malformed');
    expect(problemOf(FULL.replace('1766745254000', ''))).toBe('malformed');
    expect(problemOf(FULL.replace('1766745254000', '1.5e12'))).toBe('malformed');
    expect(problemOf(FULL.replace(',BTC,', ',,'))).toBe('malformed');
    // the asset symbol: ASCII letters and digits only (issue #9); its case is the loader's check
    for (const c of ['BTC ', ' BTC', 'BT-C', 'BTC\t', 'BTCBTCBTCBTCBTCBT', 'BTÇ'])
      expect(problemOf(FULL.replace(',BTC,', `,${c},`))).toBe('malformed');
    expect(parseCanonicalLine(FULL.replace(',BTC,', ',btc,')).crypto).toBe('btc');
    expect(problemOf(FULL.replace(',900,', ',0,'))).toBe('malformed');
    expect(problemOf(FULL.replace('87123.45', 'x'))).toBe('malformed');
  });

  it('refuses prices outside [0, 1] and negative sizes', () => {
    expect(problemOf(FULL.replace('0.11', '1.01'))).toBe('outOfRange');
    expect(problemOf(FULL.replace('0.09', '-0.01'))).toBe('outOfRange');
    expect(problemOf(FULL.replace('6151.04', '-1'))).toBe('outOfRange');
    expect(() => parseCanonicalLine(FULL.replace('0.11', '1'))).not.toThrow();
  });

  it('refuses a crossed top of book but accepts a locked one', () => {
    expect(problemOf(FULL.replace('0.09,0.11', '0.12,0.11'))).toBe('crossed');
    expect(problemOf(FULL.replace('0.89,0.9', '0.91,0.9'))).toBe('crossed');
    expect(parseCanonicalLine(FULL.replace('0.09,0.11', '0.11,0.11')).upBid).toBe(110_000);
  });
});
