import { BookStore } from '../../src/book/book-store';
import type { CrashReboundConfig, MomentumConfig } from '../../src/config/strategies';
import type { Signal, TickRow } from '../../src/core/types';
import { CrashReboundStrategy } from '../../src/strategy/crash-rebound';
import { MidHistory } from '../../src/strategy/mid-history';
import { MomentumStrategy } from '../../src/strategy/momentum';
import type { Strategy } from '../../src/strategy/strategy';
import { up } from '../helpers/scenario';

const band = { minPrice: 0.05, maxPrice: 0.95, maxSpread: 0.05, startAfterSec: 0, stopBeforeEndSec: 60 };
const momentum: MomentumConfig = { type: 'momentum', name: 'm', lookbackMs: 10_000, minMove: 0.05, ...band };
const crash: CrashReboundConfig = {
  type: 'crash_rebound',
  name: 'c',
  lookbackMs: 30_000,
  minDrop: 0.1,
  minRebound: 0.03,
  ...band,
};

/** Feeds rows and returns the signals with the second they fired at. */
function feed(s: Strategy, rows: TickRow[]): [number, Signal][] {
  const books = new BookStore();
  const out: [number, Signal][] = [];
  for (const r of rows) for (const sig of s.onTick(books.applyRow(r))) out.push([r.tsMs, sig]);
  return out;
}

const path = (bids: number[]): TickRow[] => bids.map((b, i) => up(i, b));

describe('MidHistory', () => {
  it('keeps the reference at the horizon and the running max / min after the max', () => {
    const h = new MidHistory(3);
    [5, 9, 4, 6, 2, 7].forEach((m, t) => h.push(t, m));
    // samples kept: t=2 (at the horizon 5−3) .. t=5
    expect(h.reference()).toEqual({ tsMs: 2, mid: 4 });
    expect(h.max()).toBe(7);
    expect(h.minAfterMax()).toBe(7);
    h.push(6, 3);
    expect(h.max()).toBe(7);
    expect(h.minAfterMax()).toBe(3);
  });

  it('stays small over a long run', () => {
    const h = new MidHistory(10);
    for (let t = 0; t < 100_000; t += 1) h.push(t, t % 17);
    expect(h.reference()!.tsMs).toBe(99_989);
  });
});

describe('momentum', () => {
  it('signals the side whose mid rose by minMove over the look-back, once per episode', () => {
    const bids = [0.4, 0.4, 0.41, 0.42, 0.43, 0.44, 0.45, 0.45, 0.46, 0.46, 0.46, 0.47, 0.48, 0.49, 0.5];
    const sig = feed(new MomentumStrategy(momentum), path(bids));
    expect(sig.map(([t, s]) => [t - sig[0]![0], s.side])).toEqual([[0, 'UP']]);
    // at 10 s the mid (0.465) is 0.06 above the mid 10 s earlier (0.405)
    expect(sig[0]![0]).toBe(up(10, 0).tsMs);
  });

  it('signals the DOWN side when UP falls', () => {
    const bids = Array.from({ length: 15 }, (_, i) => 0.6 - i * 0.01);
    const sig = feed(new MomentumStrategy(momentum), path(bids));
    expect(sig.map(([, s]) => s.side)).toEqual(['DOWN']);
  });

  it('does not signal outside the price band or the entry period', () => {
    const bids = Array.from({ length: 15 }, (_, i) => 0.4 + i * 0.01);
    expect(feed(new MomentumStrategy({ ...momentum, maxPrice: 0.45 }), path(bids))).toEqual([]);
    expect(feed(new MomentumStrategy({ ...momentum, startAfterSec: 100 }), path(bids))).toEqual([]);
  });
});

describe('crash-rebound', () => {
  it('signals after a drop of minDrop and a rebound of minRebound', () => {
    const bids = [0.6, 0.6, 0.55, 0.5, 0.48, 0.49, 0.5, 0.51, 0.52];
    const sig = feed(new CrashReboundStrategy(crash), path(bids));
    expect(sig.map(([t, s]) => [t, s.side])).toEqual([[up(7, 0).tsMs, 'UP']]);
  });

  it('does not signal without the rebound', () => {
    const bids = [0.6, 0.6, 0.55, 0.5, 0.48, 0.48, 0.49];
    expect(feed(new CrashReboundStrategy(crash), path(bids)).filter(([, s]) => s.side === 'UP')).toEqual([]);
  });
});
