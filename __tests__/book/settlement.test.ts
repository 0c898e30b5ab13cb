import { settlementMid } from '../../src/book/order-book';
import { winnerFromLastTick } from '../../src/trader/exits/window-expiry';

const top = (bid: number | null, ask: number | null) => ({ bid, ask });

describe('settlement by last recorded mid (issue #2)', () => {
  it('uses the mid, or the other price when a side is absent', () => {
    expect(settlementMid(top(480_000, 500_000))).toBe(490_000);
    expect(settlementMid(top(null, 20_000))).toBe(20_000);
    expect(settlementMid(top(990_000, null))).toBe(990_000);
    expect(settlementMid(top(null, null))).toBeNull();
  });

  it('picks the side with the higher mid; a token with no prices counts as 0; ties go UP', () => {
    expect(
      winnerFromLastTick({
        up: { ...top(980_000, 990_000), tokenId: 'u', bidSize: null, askSize: null, tickSize: 1000 },
        down: { ...top(10_000, 20_000), tokenId: 'd', bidSize: null, askSize: null, tickSize: 1000 },
      }),
    ).toBe('UP');
    expect(
      winnerFromLastTick({
        up: { ...top(null, null), tokenId: 'u', bidSize: null, askSize: null, tickSize: 1000 },
        down: { ...top(null, 20_000), tokenId: 'd', bidSize: null, askSize: null, tickSize: 1000 },
      }),
    ).toBe('DOWN');
    expect(
      winnerFromLastTick({
        up: { ...top(490_000, 510_000), tokenId: 'u', bidSize: null, askSize: null, tickSize: 1000 },
        down: { ...top(490_000, 510_000), tokenId: 'd', bidSize: null, askSize: null, tickSize: 1000 },
      }),
    ).toBe('UP');
  });
});
