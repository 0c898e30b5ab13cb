import { windowSlug } from '../../src/core/ids';
import {
  etOffsetSec,
  intervalOf,
  intervalSec,
  isWindowStart,
  parseSlug,
  slugFor,
  windowEpochsBetween,
} from '../../src/market/windows';

describe('windows', () => {
  test('intervalSec / intervalOf', () => {
    expect([intervalSec('5m'), intervalSec('15m'), intervalSec('1h'), intervalSec('4h')]).toEqual([
      300, 900, 3600, 14400,
    ]);
    expect(intervalOf(900)).toBe('15m');
    expect(intervalOf(60)).toBeNull();
  });

  test('parseSlug: 5m / 15m / 4h epoch slugs; round-trips with slugFor and ids.windowSlug', () => {
    const w = parseSlug('btc-updown-15m-1778583600');
    expect(w).toEqual({ crypto: 'BTC', windowSec: 900, windowEpoch: 1778583600 });
    expect(slugFor(w!)).toBe('btc-updown-15m-1778583600');
    expect(slugFor(w!)).toBe(windowSlug(w!));
    expect(parseSlug('xrp-updown-5m-1773307200')).toEqual({
      crypto: 'XRP',
      windowSec: 300,
      windowEpoch: 1773307200,
    });
    // 4h starts follow ET boundaries: 16:00 EST (Jan) is 21:00Z (≡ 3600 mod 14400), 12:00 EDT is 16:00Z.
    expect(parseSlug('btc-updown-4h-1769288400')).toEqual({
      crypto: 'BTC',
      windowSec: 14400,
      windowEpoch: 1769288400,
    });
    expect(parseSlug('eth-updown-4h-1780056000')?.windowEpoch).toBe(1780056000);
    expect(slugFor({ crypto: 'ETH', windowSec: 14400, windowEpoch: 1780056000 })).toBe(
      'eth-updown-4h-1780056000',
    );
  });

  test.each([
    'btc-updown-15m-1778583601', // off grid
    'btc-updown-4h-1769284800', // a UTC multiple of 14400 but 15:00 EST
    'doge-updown-15m-1778583600',
    'btc-updown-1m-1778583600',
    'btc-updown-1h-1778583600', // 1h windows do not use this shape
    'btc-updown-15m-01778583600',
    'btc-updown-15m-',
    'bitcoin-up-or-down-on-may-29-2026', // daily
    'bitcoin-up-or-down-june-31-2026-8am-et',
    'bitcoin-up-or-down-june-19-2026-13pm-et',
    'bitcoin-up-or-down-march-8-2026-2am-et', // DST gap: 2 AM does not exist
    '',
  ])('parseSlug(%p) is null', (slug) => {
    expect(parseSlug(slug)).toBeNull();
  });

  test('1h slugs: ET wall clock, with or without year', () => {
    // 2026-06-19 08:00 EDT = 12:00Z
    const w = parseSlug('bitcoin-up-or-down-june-19-2026-8am-et');
    expect(w).toEqual({ crypto: 'BTC', windowSec: 3600, windowEpoch: Date.UTC(2026, 5, 19, 12) / 1000 });
    expect(slugFor(w!)).toBe('bitcoin-up-or-down-june-19-2026-8am-et');
    // 2026-10-02 12:00 EDT (noon) = 16:00Z; 12am = midnight.
    expect(parseSlug('ethereum-up-or-down-october-2-2026-12pm-et')?.windowEpoch).toBe(
      Date.UTC(2026, 9, 2, 16) / 1000,
    );
    expect(parseSlug('solana-up-or-down-january-5-2026-12am-et')?.windowEpoch).toBe(
      Date.UTC(2026, 0, 5, 5) / 1000,
    );
    // Yearless (older) slugs need a reference time; the closest year wins.
    expect(parseSlug('bitcoin-up-or-down-november-13-9pm-et')).toBeNull();
    const ref = Date.UTC(2025, 10, 13, 12);
    expect(parseSlug('bitcoin-up-or-down-november-13-9pm-et', { refMs: ref })?.windowEpoch).toBe(
      Date.UTC(2025, 10, 14, 2) / 1000,
    );
    expect(
      parseSlug('xrp-up-or-down-december-31-11pm-et', { refMs: Date.UTC(2026, 0, 1, 3) })?.windowEpoch,
    ).toBe(Date.UTC(2026, 0, 1, 4) / 1000);
  });

  test('slugFor throws InputError for unsupported windows', () => {
    expect(() => slugFor({ crypto: 'DOGE', windowSec: 900, windowEpoch: 1778583600 })).toThrow(/unsupported/);
    expect(() => slugFor({ crypto: 'BTC', windowSec: 60, windowEpoch: 1778583600 })).toThrow(/unsupported/);
    expect(() => slugFor({ crypto: 'BTC', windowSec: 900, windowEpoch: 1778583601 })).toThrow(/grid/);
  });

  test('etOffsetSec matches the platform time zone database over 2024-2030', () => {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      timeZoneName: 'shortOffset',
    });
    for (let t = Date.UTC(2024, 0, 1) / 1000; t < Date.UTC(2030, 11, 31) / 1000; t += 3600 * 5) {
      const name = fmt.formatToParts(new Date(t * 1000)).find((p) => p.type === 'timeZoneName')?.value;
      expect([t, etOffsetSec(t)]).toEqual([t, name === 'GMT-4' ? -14400 : -18000]);
    }
  });

  test('windowEpochsBetween: aligned starts whose windows overlap [from, to]', () => {
    const t0 = 1778583600; // multiple of 900
    expect(windowEpochsBetween(900, t0 * 1000, t0 * 1000)).toEqual([t0]);
    expect(windowEpochsBetween(900, t0 * 1000 - 1, t0 * 1000)).toEqual([t0 - 900, t0]);
    expect(windowEpochsBetween(900, (t0 + 899) * 1000, (t0 + 1800) * 1000)).toEqual([
      t0,
      t0 + 900,
      t0 + 1800,
    ]);
    expect(windowEpochsBetween(300, (t0 + 10) * 1000, (t0 + 20) * 1000)).toEqual([t0]);
    expect(windowEpochsBetween(300, 2, 1)).toEqual([]);
    for (const e of windowEpochsBetween(3600, t0 * 1000, (t0 + 86400) * 1000)) expect(e % 3600).toBe(0);
    expect(() => windowEpochsBetween(60, 0, 1)).toThrow(/unsupported/);
    expect(() => windowEpochsBetween(300, 0, 1e15)).toThrow(/more than/);
  });

  test('windowEpochsBetween 4h: ET boundaries (EST offset by 1h from the UTC grid)', () => {
    const jan = windowEpochsBetween(14400, Date.UTC(2026, 0, 24, 0), Date.UTC(2026, 0, 24, 23, 59));
    expect(jan.map((e) => new Date(e * 1000).getUTCHours())).toEqual([21, 1, 5, 9, 13, 17, 21]); // 16:00 EST on the 23rd (21:00Z) runs into the range
    expect(jan).toContain(1769288400);
    const jul = windowEpochsBetween(14400, Date.UTC(2026, 6, 28, 0), Date.UTC(2026, 6, 28, 3));
    expect(jul).toEqual([1785196800]);
    for (const e of [...jan, ...jul]) expect(isWindowStart(14400, e)).toBe(true);
  });
});
