/**
 * Bounded re-ordering of one tick file (issue #2: rows are processed in `tsMs` order, but the
 * real borisz42 recordings write rows up to 22 s out of order). A row is held until the file
 * has shown a row at least `windowMs` newer, then released in `(tsMs, arrival)` order.
 */

/** Default re-ordering window in ms (5 min): > 10× the worst lateness seen in the real recordings (22 s). */
export const DEFAULT_REORDER_WINDOW_MS = 300_000;

/**
 * A binary min-heap of rows keyed by `(tsMs, arrival seq)` that releases a row once
 * `maxTsSeen − row.tsMs ≥ windowMs`. Output is non-decreasing in `tsMs`, and rows with equal
 * `tsMs` come out in arrival order (a stable sort). Memory: the rows of the last `windowMs`.
 *
 * Release happens on every {@link push}, so whether a row is late depends only on the rows
 * before it, never on how the input was chunked.
 */
export class ReorderBuffer<T extends { readonly tsMs: number }> {
  private readonly items: T[] = [];
  private readonly seqs: number[] = [];
  private nextSeq = 0;
  private maxTs = -Infinity;
  private lastTs = -Infinity;

  /**
   * @param windowMs re-ordering window in ms, ≥ 0 (`0`: any row older than an earlier one is
   *   late; `Infinity`: everything is held until {@link drain}, i.e. a full stable sort).
   * @throws {RangeError} when `windowMs` is negative or NaN.
   */
  constructor(readonly windowMs: number = DEFAULT_REORDER_WINDOW_MS) {
    if (!(windowMs >= 0)) throw new RangeError(`reorder window must be ≥ 0 ms, got ${windowMs}`);
  }

  /** `tsMs` of the last released row (`-Infinity` before the first release). */
  get lastReleasedTs(): number {
    return this.lastTs;
  }

  /** Number of rows held. */
  get size(): number {
    return this.items.length;
  }

  /** Whether a row at `tsMs` would be late: older than the last released row. */
  isLate(tsMs: number): boolean {
    return tsMs < this.lastTs;
  }

  /**
   * Adds a row, then appends to `out` every row that became releasable, in order.
   * @returns `false` (row not added) when the row is late, see {@link isLate}.
   */
  push(item: T, out: T[]): boolean {
    const ts = item.tsMs;
    if (ts < this.lastTs) return false;
    this.siftUp(item, this.nextSeq++);
    if (ts > this.maxTs) {
      this.maxTs = ts;
      const limit = ts - this.windowMs;
      while (this.items.length > 0 && (this.items[0] as T).tsMs <= limit) out.push(this.pop());
    }
    return true;
  }

  /** Appends up to `limit` held rows to `out` in order (at end of input: everything). */
  drain(out: T[], limit = Infinity): void {
    for (let n = 0; n < limit && this.items.length > 0; n++) out.push(this.pop());
  }

  private less(ta: number, sa: number, i: number): boolean {
    const tb = (this.items[i] as T).tsMs;
    return ta < tb || (ta === tb && sa < (this.seqs[i] as number));
  }

  private siftUp(item: T, seq: number): void {
    const { items, seqs } = this;
    let i = items.length;
    items.push(item);
    seqs.push(seq);
    const ts = item.tsMs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(ts, seq, parent)) break;
      items[i] = items[parent] as T;
      seqs[i] = seqs[parent] as number;
      i = parent;
    }
    items[i] = item;
    seqs[i] = seq;
  }

  private pop(): T {
    const { items, seqs } = this;
    const top = items[0] as T;
    const lastItem = items.pop() as T;
    const lastSeq = seqs.pop() as number;
    const n = items.length;
    if (n > 0) {
      const ts = lastItem.tsMs;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && this.less((items[right] as T).tsMs, seqs[right] as number, child)) child = right;
        const ct = (items[child] as T).tsMs;
        const cs = seqs[child] as number;
        if (ts < ct || (ts === ct && lastSeq < cs)) break;
        items[i] = items[child] as T;
        seqs[i] = cs;
        i = child;
      }
      items[i] = lastItem;
      seqs[i] = lastSeq;
    }
    this.lastTs = top.tsMs;
    return top;
  }
}
