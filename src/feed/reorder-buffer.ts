/**
 * Bounded re-ordering of one tick file (issue #2: rows are processed in `tsMs` order, but the
 * real borisz42 recordings write rows up to 22 s out of order). A row is held until the file
 * has shown a row at least `windowMs` newer, then released in `(tsMs, arrival)` order.
 */

/** Default re-ordering window in ms (5 min): > 10× the worst lateness seen in the real recordings (22 s). */
export const DEFAULT_REORDER_WINDOW_MS = 300_000;

/**
 * A re-ordering buffer keyed by `(tsMs, arrival seq)` that releases a row once
 * `maxTsSeen − row.tsMs ≥ windowMs`: rows arriving in order go to a FIFO (O(1)), rows arriving
 * out of order to a binary min-heap. Output is non-decreasing in `tsMs`, and rows with equal
 * `tsMs` come out in arrival order (a stable sort). Memory: the rows of the last `windowMs`.
 *
 * Release happens on every {@link push}, so whether a row is late depends only on the rows
 * before it, never on how the input was chunked.
 */
export class ReorderBuffer<T extends { readonly tsMs: number }> {
  /** Rows that arrived in order (`tsMs ≥` every earlier row): already sorted, arrival order on ties. */
  private fifo: (T | undefined)[] = [];
  private fifoHead = 0;
  /** Rows that arrived out of order, a min-heap on `(tsMs, seq)`. */
  private readonly heap: T[] = [];
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
    return this.fifo.length - this.fifoHead + this.heap.length;
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
    if (ts < this.maxTs) {
      this.heapPush(item, this.nextSeq++);
      return true;
    }
    this.nextSeq++;
    this.fifo.push(item);
    if (ts > this.maxTs) {
      this.maxTs = ts;
      this.releaseUpTo(ts - this.windowMs, out);
    }
    return true;
  }

  /** Appends to `out` every held row with `tsMs ≤ limit`, in order. */
  private releaseUpTo(limit: number, out: T[]): void {
    if (this.heap.length > 0) {
      while (this.size > 0 && this.peekTs() <= limit) out.push(this.take());
      return;
    }
    // Fast path (nothing out of order held): release a prefix of the FIFO.
    const { fifo } = this;
    let head = this.fifoHead;
    while (head < fifo.length) {
      const row = fifo[head] as T;
      if (row.tsMs > limit) break;
      out.push(row);
      fifo[head++] = undefined;
      this.lastTs = row.tsMs;
    }
    this.fifoHead = head;
    this.compactFifo();
  }

  /** Drops released FIFO slots: all when empty, else once they are ≥ 1024 and half the array. */
  private compactFifo(): void {
    if (this.fifoHead === this.fifo.length) {
      this.fifo.length = 0;
      this.fifoHead = 0;
    } else if (this.fifoHead >= 1024 && this.fifoHead * 2 >= this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
  }

  /** Appends up to `limit` held rows to `out` in order (at end of input: everything). */
  drain(out: T[], limit = Infinity): void {
    for (let n = 0; n < limit && this.size > 0; n++) out.push(this.take());
  }

  /** `tsMs` of the next row to release; only when `size > 0`. */
  private peekTs(): number {
    const f = this.fifo[this.fifoHead];
    const h = this.heap[0];
    // On equal tsMs the in-order row arrived first (a heap row is older than the max at its arrival).
    if (h !== undefined && (f === undefined || h.tsMs < f.tsMs)) return h.tsMs;
    return (f as T).tsMs;
  }

  /** Removes and returns the next row to release; only when `size > 0`. */
  private take(): T {
    const f = this.fifo[this.fifoHead];
    const h = this.heap[0];
    let row: T;
    if (h !== undefined && (f === undefined || h.tsMs < f.tsMs)) {
      row = this.heapPop();
    } else {
      row = f as T;
      this.fifo[this.fifoHead++] = undefined;
      this.compactFifo();
    }
    this.lastTs = row.tsMs;
    return row;
  }

  private less(ta: number, sa: number, i: number): boolean {
    const tb = (this.heap[i] as T).tsMs;
    return ta < tb || (ta === tb && sa < (this.seqs[i] as number));
  }

  private heapPush(item: T, seq: number): void {
    const { heap, seqs } = this;
    let i = heap.length;
    heap.push(item);
    seqs.push(seq);
    const ts = item.tsMs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(ts, seq, parent)) break;
      heap[i] = heap[parent] as T;
      seqs[i] = seqs[parent] as number;
      i = parent;
    }
    heap[i] = item;
    seqs[i] = seq;
  }

  private heapPop(): T {
    const { heap, seqs } = this;
    const top = heap[0] as T;
    const lastItem = heap.pop() as T;
    const lastSeq = seqs.pop() as number;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && this.less((heap[right] as T).tsMs, seqs[right] as number, child)) child = right;
        if (this.less(lastItem.tsMs, lastSeq, child)) break;
        heap[i] = heap[child] as T;
        seqs[i] = seqs[child] as number;
        i = child;
      }
      heap[i] = lastItem;
      seqs[i] = lastSeq;
    }
    return top;
  }
}

/**
 * Exact-duplicate line detection (borisz42) with memory bounded by the re-ordering window: it
 * only needs the lines of rows at `tsMs ≥` the last released row, since an identical line has
 * the same `tsMs` and an older row is late anyway. Call {@link WindowDedup.prune} with
 * {@link ReorderBuffer.lastReleasedTs} from time to time.
 */
export class WindowDedup {
  /**
   * Row `tsMs` of the recorded lines, sorted (equal keys in arrival order) from `head` on: rows
   * arrive nearly in order, so a line is almost always appended, and a duplicate is looked up
   * among the few entries of its `tsMs` (issue #10: a `Map` here cost a fifth of the stream).
   */
  private keys: number[] = [];
  private lines: string[] = [];
  private head = 0;

  /** Records `line` (whose row is at `tsMs`); `false` when it was recorded before (a duplicate). */
  add(tsMs: number, line: string): boolean {
    const { keys, lines } = this;
    const n = keys.length;
    if (n === this.head || tsMs > (keys[n - 1] as number)) {
      keys.push(tsMs);
      lines.push(line);
      return true;
    }
    // first entry at tsMs or later (binary search over the kept entries)
    let lo = this.head;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as number) < tsMs) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    for (; i < n && keys[i] === tsMs; i++) if (lines[i] === line) return false;
    if (i === n) {
      keys.push(tsMs);
      lines.push(line);
    } else {
      keys.splice(i, 0, tsMs);
      lines.splice(i, 0, line);
    }
    return true;
  }

  /** Forgets lines of rows older than `floorTs` (such rows are late, never duplicates). */
  prune(floorTs: number): void {
    const { keys } = this;
    let h = this.head;
    while (h < keys.length && (keys[h] as number) < floorTs) h++;
    if (h === keys.length) {
      this.keys = [];
      this.lines = [];
      this.head = 0;
      return;
    }
    if (h >= 1024 && h * 2 >= keys.length) {
      this.keys = keys.slice(h);
      this.lines = this.lines.slice(h);
      h = 0;
    } else {
      // release the pruned lines now (their strings hold the read chunk they were split from)
      for (let j = this.head; j < h; j++) (this.lines as (string | undefined)[])[j] = undefined;
    }
    this.head = h;
  }
}
