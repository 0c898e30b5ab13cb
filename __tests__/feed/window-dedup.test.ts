/**
 * `WindowDedup` (issue #2 duplicates; issue #10 sorted-array rewrite for speed): an exact line
 * seen before at the same `tsMs` is a duplicate, in or out of arrival order; the same line at
 * another `tsMs`, or another line at the same `tsMs`, is not; pruning forgets only older rows.
 * Checked against a reference (a set of `tsMs|line`) on a shuffled stream.
 */
import { WindowDedup } from '../../src/feed/reorder-buffer';

describe('WindowDedup', () => {
  it('finds exact duplicates at the same tsMs, in order and out of order', () => {
    const d = new WindowDedup();
    expect(d.add(1_000, 'a')).toBe(true);
    expect(d.add(1_000, 'b')).toBe(true); // another line at the same tsMs
    expect(d.add(2_000, 'a')).toBe(true); // the same line at another tsMs
    expect(d.add(1_000, 'a')).toBe(false); // out of order: a duplicate of the first
    expect(d.add(1_000, 'b')).toBe(false);
    expect(d.add(500, 'z')).toBe(true); // older than everything: inserted in order
    expect(d.add(1_500, 'm')).toBe(true); // between two kept keys
    expect(d.add(1_500, 'm')).toBe(false);
    expect(d.add(500, 'z')).toBe(false);
    expect(d.add(2_000, 'a')).toBe(false);
  });

  it('forgets only rows older than the prune floor', () => {
    const d = new WindowDedup();
    for (let t = 0; t < 3_000; t++) d.add(t, `line ${t}`);
    d.prune(2_000);
    expect(d.add(2_000, 'line 2000')).toBe(false); // kept
    expect(d.add(2_999, 'line 2999')).toBe(false);
    expect(d.add(1_999, 'line 1999')).toBe(true); // forgotten (such a row is late in the stream anyway)
    d.prune(10_000);
    expect(d.add(5_000, 'x')).toBe(true);
    expect(d.add(5_000, 'x')).toBe(false);
  });

  it('agrees with a reference set on a nearly ordered stream with repeats', () => {
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const d = new WindowDedup();
    const ref = new Set<string>();
    let floor = -Infinity;
    for (let i = 0; i < 20_000; i++) {
      const t = Math.max(0, Math.floor(i / 3) - Math.floor(rnd() * 20)); // up to 20 ms late
      const line = `r${Math.floor(rnd() * 4)}`;
      if (t < floor) continue; // late rows never reach the dedup
      const key = `${t}|${line}`;
      expect(d.add(t, line)).toBe(!ref.has(key));
      ref.add(key);
      if (i % 500 === 0) {
        floor = Math.floor(i / 3) - 100;
        d.prune(floor);
      }
    }
  });
});
