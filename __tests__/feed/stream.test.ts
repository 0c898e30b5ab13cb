import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../src/core/errors';
import type { TickRow } from '../../src/core/types';
import { BORISZ42_HEADER, parseBorisz42Line } from '../../src/feed/borisz42';
import { CANONICAL_HEADER } from '../../src/feed/canonical-csv';
import { loadInput, parseOnly, streamInput, type LoadStats } from '../../src/feed/input';
import { readLineBatches } from '../../src/feed/line-reader';
import { mergeSortedBatches } from '../../src/feed/merge';
import { ReorderBuffer } from '../../src/feed/reorder-buffer';

const SHARED = resolve(__dirname, '../../../shared/data/borisz42-btc15m');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'feed-stream-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A canonical line at `ts`, tagged by up_bid_size (in whole shares). */
const canon = (ts: number, tag: number): string => `${ts},BTC,900,0,0.4,0.6,${tag},,0.4,0.6,,,`;
const canonFile = (rows: [number, number][]): string =>
  [CANONICAL_HEADER, ...rows.map(([ts, tag]) => canon(ts, tag))].join('\n') + '\n';
const tsTag = (rows: TickRow[]): [number, number | null][] =>
  rows.map((r) => [r.tsMs, r.upBidSize === null ? null : r.upBidSize / 1_000_000]);

async function collect(
  path: string,
  reorderWindowMs?: number,
): Promise<{ batches: TickRow[][]; stats: LoadStats }> {
  const s = streamInput(path, reorderWindowMs === undefined ? {} : { reorderWindowMs });
  const batches: TickRow[][] = [];
  for await (const b of s.batches) batches.push(b);
  return { batches, stats: s.stats };
}

async function* fromArrays<T>(batches: T[][]): AsyncGenerator<T[]> {
  for (const b of batches) yield b;
}

describe('ReorderBuffer', () => {
  it('releases rows once the window has passed, sorted, ties in arrival order; late rows refused', () => {
    const buf = new ReorderBuffer<{ tsMs: number; id: string }>(10);
    const out: { tsMs: number; id: string }[] = [];
    const push = (tsMs: number, id: string): boolean => buf.push({ tsMs, id }, out);
    expect([push(5, 'a'), push(3, 'b'), push(5, 'c'), push(3, 'd'), push(4, 'e')]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(out).toEqual([]);
    push(14, 'f'); // releases ts ≤ 4
    expect(out.map((r) => r.id)).toEqual(['b', 'd', 'e']);
    expect(buf.isLate(3)).toBe(true);
    expect(push(3, 'late')).toBe(false);
    expect(push(4, 'g')).toBe(true); // equal to the last released: still in order
    buf.drain(out);
    expect(out.map((r) => r.id)).toEqual(['b', 'd', 'e', 'g', 'a', 'c', 'f']);
    expect(buf.size).toBe(0);
    expect(() => new ReorderBuffer(-1)).toThrow(RangeError);
  });

  it('equals a stable sort on random input within the window', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const rows = Array.from({ length: 5000 }, (_, i) => ({ tsMs: i * 10 + Math.floor(rnd() * 500), i }));
    const buf = new ReorderBuffer<{ tsMs: number; i: number }>(600);
    const out: { tsMs: number; i: number }[] = [];
    for (const r of rows) expect(buf.push(r, out)).toBe(true);
    buf.drain(out);
    expect(out).toEqual([...rows].sort((a, b) => a.tsMs - b.tsMs));
  });
});

describe('mergeSortedBatches', () => {
  it('merges interleaved sources by ts, ties to the earlier source, and never yields empty batches', async () => {
    const a = [
      [
        { tsMs: 1, s: 'a1' },
        { tsMs: 3, s: 'a3' },
      ],
      [],
      [
        { tsMs: 3, s: 'a3b' },
        { tsMs: 7, s: 'a7' },
      ],
    ];
    const b = [
      [
        { tsMs: 0, s: 'b0' },
        { tsMs: 3, s: 'b3' },
        { tsMs: 4, s: 'b4' },
      ],
      [{ tsMs: 9, s: 'b9' }],
    ];
    const got: { tsMs: number; s: string }[][] = [];
    for await (const batch of mergeSortedBatches([fromArrays(a), fromArrays(b)], 2)) got.push(batch);
    expect(got.every((x) => x.length > 0)).toBe(true);
    expect(got.flat().map((r) => r.s)).toEqual(['b0', 'a1', 'a3', 'a3b', 'b3', 'b4', 'a7', 'b9']);
  });
});

describe('readLineBatches', () => {
  it('splits CRLF lines across chunks, strips a BOM, skips blank lines, keeps a last unterminated line', async () => {
    const long = 'x'.repeat(100_000);
    const path = write('l.csv', `\ufeffh1\r\n\r\n${long}\r\nb\n\nc`);
    const lines: string[] = [];
    for await (const batch of readLineBatches(path)) {
      expect(batch.length).toBeGreaterThan(0);
      lines.push(...batch);
    }
    expect(lines).toEqual(['h1', long, 'b', 'c']);
  });

  it('throws an InputError naming the file for a missing file or corrupt gzip', async () => {
    const it = readLineBatches(join(dir, 'missing.csv'));
    await expect(it.next()).rejects.toThrow(/missing\.csv/);
    const full = gzipSync(canonFile([[1, 1]]));
    const broken = write('broken.csv.gz', full.subarray(0, full.length - 12));
    await expect(loadInput(broken)).rejects.toThrow(InputError);
    await expect(parseOnly(broken)).rejects.toThrow(/broken\.csv\.gz/);
  });
});

describe('streamInput', () => {
  it('re-orders within the window with stable ties; a row later than the window is dropped as late', async () => {
    const path = write(
      'c.csv',
      canonFile([
        [10_000, 1],
        [8_000, 2],
        [10_000, 3],
        [9_000, 4],
        [8_000, 5],
        [20_000, 6], // releases ts ≤ 15_000 (window 5 s)
        [9_000, 7], // late: older than the released 10_000
        [16_000, 8],
        [15_500, 9],
      ]),
    );
    const { batches, stats } = await collect(path, 5_000);
    expect(tsTag(batches.flat())).toEqual([
      [8_000, 2],
      [8_000, 5],
      [9_000, 4],
      [10_000, 1],
      [10_000, 3],
      [15_500, 9],
      [16_000, 8],
      [20_000, 6],
    ]);
    expect(stats.files[0]).toMatchObject({ rowsRead: 9, rowsKept: 8, late: 1, duplicates: 0 });
    // The default window (5 min) keeps the row.
    const all = await loadInput(path);
    expect(all.rows).toHaveLength(9);
    expect(all.stats.files[0]?.late).toBe(0);
  });

  it('k-way merges files with interleaved timestamps (ties: first file), plain and gz', async () => {
    write(
      'a.csv',
      canonFile([
        [1, 1],
        [3, 2],
        [3, 3],
        [6, 4],
      ]),
    );
    write(
      'b.csv.gz',
      gzipSync(
        canonFile([
          [2, 5],
          [3, 6],
          [5, 7],
          [6, 8],
          [7, 9],
        ]),
      ),
    );
    const { rows, stats } = await loadInput(dir);
    expect(tsTag(rows)).toEqual([
      [1, 1],
      [2, 5],
      [3, 2],
      [3, 3],
      [3, 6],
      [5, 7],
      [6, 4],
      [6, 8],
      [7, 9],
    ]);
    expect(stats.files.map((f) => [f.path.split('/').pop(), f.rowsKept])).toEqual([
      ['a.csv', 4],
      ['b.csv.gz', 5],
    ]);
    expect(await parseOnly(dir)).toBe(9);
  });

  it('drops borisz42 duplicate lines within the window, even out of order', async () => {
    const line = (ss: string, liq = '6151.04'): string =>
      `2025-12-26 10:34:${ss},2025-12-26 10:30:00,2025-12-26 10:45:00,0.09,0.11,0.1,0.02,${liq},4386.31,0.89,0.9,0.895,0.01,4296.39,3898.01`;
    const path = write(
      'market_data_d.csv',
      [
        BORISZ42_HEADER,
        line('15'),
        line('16'),
        line('15'),
        line('14'),
        line('15', '1'),
        line('16'),
        line('14'),
      ].join('\n'),
    );
    const { rows, stats } = await loadInput(path);
    expect(rows.map((r) => [r.tsMs % 60_000, r.upBidSize])).toEqual([
      [14_000, 6_151_040_000],
      [15_000, 6_151_040_000],
      [15_000, 1_000_000],
      [16_000, 6_151_040_000],
    ]);
    expect(stats.files[0]).toMatchObject({ rowsRead: 7, rowsKept: 4, duplicates: 3, late: 0 });
  });

  it('streamed batches concatenated equal loadInput; stats complete at the end; errors from iteration', async () => {
    const rows: [number, number][] = Array.from({ length: 3000 }, (_, i) => [i * 1000 - (i % 7) * 900, i]);
    const path = write('big.csv.gz', gzipSync(canonFile(rows)));
    const { batches, stats } = await collect(path);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.length > 0 && b.length <= 5000)).toBe(true);
    const loaded = await loadInput(path);
    expect(batches.flat()).toEqual(loaded.rows);
    expect(stats).toEqual(loaded.stats);
    expect(stats.files[0]?.rowsKept).toBe(3000);
    expect(() => streamInput(path, { reorderWindowMs: -1 })).toThrow(RangeError);
    const unknown = write('user_data_1.csv', 'timestamp,trade_side\n1,Up\n');
    await expect(collect(unknown)).rejects.toThrow(/unknown header/);
  });
});

describe('real borisz42 recordings (shared data)', () => {
  it('stream the shared directory: 60,397 rows equal to a full stable sort with dedup', async () => {
    const { rows, stats } = await loadInput(SHARED);
    expect(rows).toHaveLength(60_397);
    expect(stats.files.map((f) => [f.duplicates, f.late, f.rowsKept])).toEqual([
      [9, 0, 28_485],
      [37, 0, 31_912],
    ]);
    // Independent reference: every line of both files (name order), full-file exact-line
    // dedup, one stable sort by tsMs.
    const all: TickRow[] = [];
    for (const f of stats.files) {
      const seen = new Set<string>();
      const lines = gunzipSync(readFileSync(f.path)).toString('utf8').split('\n').slice(1);
      for (const raw of lines) {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (line.length === 0 || seen.has(line)) continue;
        seen.add(line);
        all.push(parseBorisz42Line(line));
      }
    }
    all.sort((a, b) => a.tsMs - b.tsMs);
    expect(rows).toEqual(all);
    expect((await loadInput(SHARED, { reorderWindowMs: Infinity })).rows).toEqual(all);
    expect(rows.every((r, i) => i === 0 || (rows[i - 1] as TickRow).tsMs <= r.tsMs)).toBe(true);
    expect(await parseOnly(SHARED)).toBe(60_443);
  });
});
