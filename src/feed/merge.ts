/**
 * K-way merge of per-file row streams that are each sorted by `tsMs` (issue #2: a directory of
 * files covering the same hours replays in true time order).
 */

/** Rows per merged output batch (the merge yields once this many rows are ready). */
export const MERGE_BATCH_ROWS = 512;

const noop = (): void => undefined;

interface Source<T> {
  readonly index: number;
  readonly it: AsyncIterator<T[]>;
  batch: T[];
  pos: number;
  done: boolean;
}

/** Makes `s.batch[s.pos]` the next row of the source; `false` when the source has ended. */
async function refill<T>(s: Source<T>): Promise<boolean> {
  while (s.pos >= s.batch.length) {
    if (s.done) return false;
    const r = await s.it.next();
    if (r.done === true) {
      s.done = true;
      s.batch = [];
      s.pos = 0;
      return false;
    }
    s.batch = r.value;
    s.pos = 0;
  }
  return true;
}

/**
 * Merges `sources` (each yielding batches of rows sorted by `tsMs`) into one stream of batches
 * sorted by `tsMs`; equal `tsMs` keep source order (lower index first), then each source's own
 * order — the result equals a stable sort of the sources concatenated in order.
 * Memory: one current batch per source (a source is asked for its next batch only when its
 * current one is used up; file streams still read ahead one chunk on their own). Output batches hold about {@link MERGE_BATCH_ROWS} rows (a single source's
 * batches are passed through as they are). Never yields an empty batch.
 * @throws whatever a source throws; all sources are closed (`return()`) when the merge ends,
 *   fails or is closed early.
 */
export async function* mergeSortedBatches<T extends { readonly tsMs: number }>(
  sources: readonly AsyncIterator<T[]>[],
  batchRows: number = MERGE_BATCH_ROWS,
): AsyncGenerator<T[], void, undefined> {
  const all: Source<T>[] = sources.map((it, index) => ({ index, it, batch: [], pos: 0, done: false }));
  try {
    const active: Source<T>[] = [];
    for (const s of all) if (await refill(s)) active.push(s);
    let out: T[] = [];
    while (active.length > 1) {
      // The source with the smallest head (ties: lower index) and the runner-up's head.
      let best = active[0] as Source<T>;
      let bestTs = (best.batch[best.pos] as T).tsMs;
      let nextTs = Infinity;
      let nextIndex = Infinity;
      for (let k = 1; k < active.length; k++) {
        const s = active[k] as Source<T>;
        const ts = (s.batch[s.pos] as T).tsMs;
        if (ts < bestTs || (ts === bestTs && s.index < best.index)) {
          nextTs = bestTs;
          nextIndex = best.index;
          best = s;
          bestTs = ts;
        } else if (ts < nextTs || (ts === nextTs && s.index < nextIndex)) {
          nextTs = ts;
          nextIndex = s.index;
        }
      }
      // Take every row of `best` that sorts before the runner-up's head.
      const { batch } = best;
      const strict = best.index > nextIndex;
      let pos = best.pos;
      while (pos < batch.length) {
        const row = batch[pos] as T;
        if (row.tsMs > nextTs || (strict && row.tsMs === nextTs)) break;
        out.push(row);
        pos++;
      }
      best.pos = pos;
      if (!(await refill(best))) active.splice(active.indexOf(best), 1);
      if (out.length >= batchRows) {
        yield out;
        out = [];
      }
    }
    const last = active[0];
    if (last !== undefined) {
      for (let i = last.pos; i < last.batch.length; i++) out.push(last.batch[i] as T);
      if (out.length > 0) yield out;
      out = [];
      last.pos = last.batch.length;
      while (await refill(last)) {
        last.pos = last.batch.length;
        yield last.batch;
      }
    } else if (out.length > 0) {
      yield out;
    }
  } finally {
    for (const s of all) if (!s.done) s.it.return?.(undefined).catch(noop);
  }
}
