/**
 * A time-bounded history of one token's mid price (micro-USDC) with O(1) amortized push and the
 * value at a look-back horizon, plus running max/min over the horizon (monotonic deques).
 */
export class MidHistory {
  private ts: number[] = [];
  private mids: number[] = [];
  private head = 0;
  private maxQ: number[] = [];
  private maxHead = 0;
  private minQ: number[] = [];
  private minHead = 0;

  /** Creates a history keeping samples no older than `horizonMs` (plus the one just before it). */
  constructor(private readonly horizonMs: number) {}

  /** Adds a sample at `tsMs` (non-decreasing) and drops samples older than the horizon. */
  push(tsMs: number, mid: number): void {
    const i = this.ts.length;
    this.ts.push(tsMs);
    this.mids.push(mid);
    while (this.maxQ.length > this.maxHead && this.mids[this.maxQ[this.maxQ.length - 1]!]! <= mid)
      this.maxQ.pop();
    this.maxQ.push(i);
    while (this.minQ.length > this.minHead && this.mids[this.minQ[this.minQ.length - 1]!]! >= mid)
      this.minQ.pop();
    this.minQ.push(i);
    const cutoff = tsMs - this.horizonMs;
    // keep the newest sample at or before the cutoff as the horizon reference
    while (this.head + 1 < this.ts.length && this.ts[this.head + 1]! <= cutoff) this.head += 1;
    while (this.maxQ[this.maxHead]! < this.head) this.maxHead += 1;
    while (this.minQ[this.minHead]! < this.head) this.minHead += 1;
    if (this.head > 1024 && this.head * 2 > this.ts.length) this.compact();
  }

  /** Returns the oldest kept sample's mid (at or just before the horizon) or `null` when empty. */
  reference(): { tsMs: number; mid: number } | null {
    if (this.head >= this.ts.length) return null;
    return { tsMs: this.ts[this.head]!, mid: this.mids[this.head]! };
  }

  /** Highest mid over the kept samples, or `null` when empty. */
  max(): number | null {
    const i = this.maxQ[this.maxHead];
    return i === undefined ? null : this.mids[i]!;
  }

  /**
   * Lowest mid among the samples from the (latest) highest one onward, or `null` when empty.
   * O(length of the min deque): the min over any suffix of the window is the first entry of the
   * increasing min deque whose index lies in that suffix.
   */
  minAfterMax(): number | null {
    const maxIdx = this.maxQ[this.maxHead];
    if (maxIdx === undefined) return null;
    for (let q = this.minHead; q < this.minQ.length; q += 1) {
      const i = this.minQ[q]!;
      if (i >= maxIdx) return this.mids[i]!;
    }
    return null;
  }

  private compact(): void {
    const h = this.head;
    this.ts = this.ts.slice(h);
    this.mids = this.mids.slice(h);
    this.maxQ = this.maxQ.slice(this.maxHead).map((i) => i - h);
    this.minQ = this.minQ.slice(this.minHead).map((i) => i - h);
    this.head = 0;
    this.maxHead = 0;
    this.minHead = 0;
  }
}
