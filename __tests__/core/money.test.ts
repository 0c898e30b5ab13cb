import { ceilTo, floorTo, formatMicros, notionalFloor, parseMicros, tickSizeFor } from '../../src/core/money';
import { entryLimitPrice, exitLimitPrice, sellableShares } from '../../src/execution/pricing';

describe('integer money', () => {
  it('parses decimal strings exactly', () => {
    expect(parseMicros('0.895')).toBe(895_000);
    expect(parseMicros('6151.04')).toBe(6_151_040_000);
    expect(parseMicros('0.1')).toBe(100_000);
    expect(parseMicros('1')).toBe(1_000_000);
    expect(parseMicros('.5')).toBe(500_000);
    expect(parseMicros('-1.5')).toBe(-1_500_000);
    expect(parseMicros('0.0000005')).toBe(1);
    expect(parseMicros('0.0000004')).toBe(0);
    expect(parseMicros('1e-3')).toBe(1_000);
    expect(parseMicros('')).toBeNull();
    expect(() => parseMicros('abc')).toThrow(RangeError);
  });

  it('formats micros minimally and round-trips', () => {
    for (const v of [0, 1, 895_000, 1_000_000, 6_151_040_000, -1_500_000])
      expect(parseMicros(formatMicros(v))).toBe(v);
    expect(formatMicros(895_000)).toBe('0.895');
    expect(formatMicros(1_000_000)).toBe('1');
  });

  it('rounds to steps and multiplies without float error', () => {
    expect(floorTo(534_999, 10_000)).toBe(530_000);
    expect(ceilTo(530_001, 10_000)).toBe(540_000);
    expect(notionalFloor(12_340_000, 560_000)).toBe(6_910_400); // 12.34 sh × 0.56 (protocol §6.3)
  });

  it('uses the 0.001 tick near the extremes (protocol §6.2)', () => {
    expect(tickSizeFor(970_000)).toBe(1_000);
    expect(tickSizeFor(30_000)).toBe(1_000);
    expect(tickSizeFor(500_000)).toBe(10_000);
    expect(tickSizeFor(960_000)).toBe(10_000);
  });
});

describe('order pricing (design §7)', () => {
  it('entry limit: ask + buffer rounded up to the tick, capped at 1 − tick', () => {
    expect(entryLimitPrice(500_000, 10_000, 10_000)).toBe(510_000);
    expect(entryLimitPrice(505_000, 10_000, 10_000)).toBe(520_000);
    expect(entryLimitPrice(985_000, 30_000, 1_000)).toBe(999_000);
  });

  it('exit limit: bid − buffer rounded down to the tick, at least one tick', () => {
    expect(exitLimitPrice(370_000, 30_000, 10_000)).toBe(340_000);
    expect(exitLimitPrice(525_000, 30_000, 10_000)).toBe(490_000);
    expect(exitLimitPrice(20_000, 30_000, 1_000)).toBe(1_000);
  });

  it('sells whole 0.01 shares', () => {
    expect(sellableShares(8_952_533)).toBe(8_950_000);
  });
});
