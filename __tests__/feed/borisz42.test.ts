import { InputError } from '../../src/core/errors';
import {
  BORISZ42_HEADER,
  isBorisz42Header,
  parseBorisz42Line,
  parseUtcSecondsText,
} from '../../src/feed/borisz42';
import { TickRowError } from '../../src/feed/canonical-csv';

const LINE =
  '2025-12-26 10:34:14,2025-12-26 10:30:00,2025-12-26 10:45:00,0.09,0.11,0.1,0.02,6151.04,4386.31,0.89,0.9,0.895,0.01,4296.39,3898.01';

function problemOf(line: string): string {
  try {
    parseBorisz42Line(line);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as TickRowError).problem;
  }
  throw new Error(`expected ${line} to be refused`);
}

describe('borisz42 recorder adapter', () => {
  it('detects the market_data header only', () => {
    expect(isBorisz42Header(BORISZ42_HEADER)).toBe(true);
    expect(isBorisz42Header('\ufeff' + BORISZ42_HEADER + '\r')).toBe(true);
    expect(isBorisz42Header('timestamp,trade_side,quantity,price,TargetTime,ExpirationTime')).toBe(false);
  });

  it('maps a row: window from TargetTime/Expiration, top-5 liquidity as size, no spot', () => {
    expect(parseBorisz42Line(LINE)).toEqual({
      tsMs: Date.UTC(2025, 11, 26, 10, 34, 14),
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
      spot: null,
    });
  });

  it('maps a 0.0 price to an absent side with an unknown size, ignoring Mid/Spread', () => {
    const line =
      '2025-12-26 10:40:42,2025-12-26 10:30:00,2025-12-26 10:45:00,0.0,0.02,0.01,0.02,0.0,2965.75,0.99,0.0,0.495,-0.99,2099.0,0.0';
    expect(parseBorisz42Line(line)).toMatchObject({
      upBid: null,
      upBidSize: null,
      upAsk: 20_000,
      upAskSize: 2_965_750_000,
      downBid: 990_000,
      downBidSize: 2_099_000_000,
      downAsk: null,
      downAskSize: null,
    });
  });

  it('parses UTC timestamps and refuses impossible ones', () => {
    expect(parseUtcSecondsText('2024-02-29 23:59:59', 't')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    for (const bad of [
      '2025-02-29 00:00:00',
      '2025-12-26T10:34:14',
      '2025-12-26 24:00:00',
      '2025-13-01 00:00:00',
      '2025-12-26 10:34:1x',
    ]) {
      expect(() => parseUtcSecondsText(bad, 't')).toThrow(TickRowError);
    }
  });

  it('refuses malformed, out-of-range and crossed rows with the reason', () => {
    expect(problemOf(LINE.slice(0, LINE.lastIndexOf(',')))).toBe('malformed');
    expect(problemOf(LINE.replace('2025-12-26 10:34:14', '26/12/2025 10:34'))).toBe('malformed');
    expect(problemOf(LINE.replace('0.09,0.11', ',0.11'))).toBe('malformed');
    expect(problemOf(LINE.replace('2025-12-26 10:45:00', '2025-12-26 10:30:00'))).toBe('malformed');
    expect(problemOf(LINE.replace('0.09,0.11', '0.09,1.5'))).toBe('outOfRange');
    expect(problemOf(LINE.replace('6151.04', '-3'))).toBe('outOfRange');
    expect(problemOf(LINE.replace('0.09,0.11', '0.2,0.11'))).toBe('crossed');
    // Mid/Spread are not read: garbage there is not an error.
    expect(() => parseBorisz42Line(LINE.replace('0.1,0.02', 'x,y'))).not.toThrow();
  });
});
