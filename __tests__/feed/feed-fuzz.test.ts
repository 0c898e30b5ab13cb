/**
 * Fuzz of the whole feed path (issue #9): mutated frames through the market channel
 * (`FeedProcessor`: parse, ordering, L2 books, ticks), RTDS, REST `/book` and Gamma parsing.
 * 0 crashes, 0 invalid outputs, and every frame has exactly one outcome, every rejection counted.
 * The bench runs the same harness with ≥ 1,000,000 frames (`feed_fuzz_frames`); time is measured
 * there, never asserted here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../src/core/errors';
import { parseGammaMarket } from '../../src/market/gamma';
import { parseRestBook } from '../../src/market/gamma-client';
import { runFeedFuzz, type FuzzPath } from '../helpers/feed-fuzz';

const FRAMES = 60_000;

test(`${FRAMES.toLocaleString('en')} mutated frames over the whole feed path: no crash, every frame accounted for`, () => {
  const r = runFeedFuzz({ frames: FRAMES, seed: 0x5eed });
  expect(r.crashes).toEqual([]);
  expect(r.invalid).toEqual([]);
  expect(r.crashCount + r.invalidCount).toBe(0);
  const paths: FuzzPath[] = ['market', 'rtds', 'rest', 'gamma'];
  let total = 0;
  for (const p of paths) {
    const c = r.byPath[p];
    total += c.frames;
    // exactly one outcome per frame
    expect(c.accepted + c.rejected + c.duplicate + c.pong + c.empty).toBe(c.frames);
    // every rejected frame gave at least one counted reason; every path both accepts and rejects
    expect(c.reasons).toBeGreaterThanOrEqual(c.rejected);
    expect(c.accepted).toBeGreaterThan(c.frames / 20);
    expect(c.rejected).toBeGreaterThan(c.frames / 20);
  }
  expect(total).toBe(FRAMES);
  // the market path's own counters agree with the harness: frames, duplicates, pongs, reasons
  const m = r.byPath.market;
  expect(r.feedCounters.frames).toBe(m.frames);
  expect(r.feedCounters.duplicateFrames).toBe(m.duplicate);
  expect(r.feedCounters.pongs).toBe(m.pong);
  expect(r.feedCounters.malformed).toBe(m.reasons);
  expect(m.duplicate).toBeGreaterThan(0);
  // books were built, and the L2 store refused crossed / unsorted input rather than keeping it
  expect(r.feedCounters.bookUpdates).toBeGreaterThan(0);
  expect(r.l2.snapshots).toBeGreaterThan(0);
  expect(r.l2.refused).toBeGreaterThan(0);
});

test('the harness is deterministic for a seed', () => {
  expect(runFeedFuzz({ frames: 2000, seed: 7 })).toEqual(runFeedFuzz({ frames: 2000, seed: 7 }));
});

describe('findings of the fuzz, kept as regressions', () => {
  it('a REST /book body nested deeper than the stack is an InputError, not a RangeError', () => {
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000)) as unknown;
    expect(() => parseRestBook(deep, '1', 0)).toThrow(InputError);
    const deepObject = { bids: deep, asks: [] } as unknown;
    expect(() => parseRestBook(deepObject, '1', 0)).toThrow(InputError);
  });

  it('a Gamma size that is not a safe integer of micros (1e90, 10^80) is refused', () => {
    const m = JSON.parse(
      readFileSync(
        path.resolve(__dirname, '../../../shared/data/fixtures/nautilus-trader/gamma_market.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    for (const v of ['1e90', 1e90, '1' + '0'.repeat(80)]) {
      expect(() => parseGammaMarket({ ...m, orderMinSize: v })).toThrow(
        /orderMinSize is not a non-negative number/,
      );
    }
    expect(parseGammaMarket({ ...m, orderMinSize: '5' }).minOrderSize).toBe(5_000_000);
  });
});
