import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { convertInput } from '../../src/cli/convert';
import { InputError } from '../../src/core/errors';
import type { TickRow } from '../../src/core/types';
import { BORISZ42_HEADER } from '../../src/feed/borisz42';
import { CANONICAL_HEADER } from '../../src/feed/canonical-csv';
import { listInputFiles, loadInput, parseOnly } from '../../src/feed/input';

const SHARED = resolve(__dirname, '../../../shared/data/borisz42-btc15m');
const REAL = join(SHARED, 'market_data_20251226.csv.gz');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'feed-input-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: string[], opts: { gzip?: boolean; eol?: string } = {}): string {
  const path = join(dir, name);
  const text = lines.join(opts.eol ?? '\n') + '\n';
  writeFileSync(path, opts.gzip === true ? gzipSync(text) : text);
  return path;
}

/** A canonical line of window BTC/900/0 at `ts` with up bid/ask `b`/`a`, tagged by up_bid_size. */
const canon = (ts: number, tag: number, b = '0.4', a = '0.6'): string =>
  `${ts},BTC,900,0,${b},${a},${tag},,0.4,0.6,,,`;
/** A borisz42 line in the window starting 10:30:00 at second `ss` of minute 10:34. */
const boris = (ss: string, upBid = '0.09', liq = '6151.04'): string =>
  `2025-12-26 10:34:${ss},2025-12-26 10:30:00,2025-12-26 10:45:00,${upBid},0.11,0.1,0.02,${liq},4386.31,0.89,0.9,0.895,0.01,4296.39,3898.01`;

describe('loadInput', () => {
  it('sorts canonical rows stably by ts and drops/counts bad rows', async () => {
    const path = write('ticks.csv', [
      CANONICAL_HEADER,
      canon(3000, 1),
      canon(1000, 2),
      '',
      canon(3000, 3),
      canon(2000, 4, '0.7', '0.6'), // crossed
      canon(2000, 5, '1.2', ''), // out of range
      '1,2,3', // malformed
      canon(1000, 6),
      canon(5_000_000, 7), // after its window: kept, counted
    ]);
    const { rows, stats } = await loadInput(path);
    expect(rows.map((r) => [r.tsMs, r.upBidSize])).toEqual([
      [1000, 2_000_000],
      [1000, 6_000_000],
      [3000, 1_000_000],
      [3000, 3_000_000],
      [5_000_000, 7_000_000],
    ]);
    expect(stats.files).toEqual([
      {
        path,
        format: 'canonical',
        rowsRead: 8,
        rowsKept: 5,
        malformed: 1,
        crossed: 1,
        outOfRange: 1,
        duplicates: 0,
        late: 0,
        cryptoCase: 0,
        unknownInterval: 0,
        offGrid: 0,
        outsideWindow: 1,
      },
    ]);
    expect(stats.skippedFiles).toEqual([]);
    expect(await parseOnly(path)).toBe(5);
  });

  it('reads a gzipped CRLF borisz42 file: absent sides, sorted, exact duplicates dropped', async () => {
    const path = write(
      'market_data_x.csv.gz',
      [
        BORISZ42_HEADER,
        boris('17'),
        boris('15'),
        boris('16', '0.0'),
        boris('15'),
        boris('15', '0.09', '1'),
        boris('17'),
      ],
      { gzip: true, eol: '\r\n' },
    );
    const { rows, stats } = await loadInput(path);
    expect(rows.map((r) => [r.tsMs % 60_000, r.upBid, r.upBidSize])).toEqual([
      [15_000, 90_000, 6_151_040_000],
      [15_000, 90_000, 1_000_000],
      [16_000, null, null],
      [17_000, 90_000, 6_151_040_000],
    ]);
    expect(stats.files[0]).toMatchObject({ format: 'borisz42', rowsRead: 6, rowsKept: 4, duplicates: 2 });
    expect(await parseOnly(path)).toBe(6);
  });

  it('merges a directory by ts (ties: earlier file first), skipping non-tick files', async () => {
    const t15 = Date.UTC(2025, 11, 26, 10, 34, 15);
    const b = write('b_canonical.csv', [CANONICAL_HEADER, canon(t15, 9), canon(1, 8)]);
    const a = write('a_market_data.csv.gz', [BORISZ42_HEADER, boris('15'), boris('14')], { gzip: true });
    const u = write('user_data_a.csv', [
      'timestamp,trade_side,quantity,price,TargetTime,ExpirationTime',
      '2025-12-26 10:30:19,Down,84.0,0.67,x,y',
    ]);
    const e = write('empty.csv', []);
    write('notes.txt', ['hello']);
    mkdirSync(join(dir, 'sub.csv'));
    expect(listInputFiles(dir)).toEqual([a, b, e, u]);
    const { rows, stats } = await loadInput(dir);
    expect(rows.map((r) => [r.tsMs, r.windowEpoch])).toEqual([
      [1, 0],
      [t15 - 1000, 1766745000],
      [t15, 1766745000],
      [t15, 0],
    ]);
    expect(stats.files.map((f) => f.path)).toEqual([a, b]);
    expect(stats.skippedFiles).toEqual([
      { path: e, reason: 'empty' },
      { path: u, reason: 'notTickData' },
    ]);
    expect(await parseOnly(dir)).toBe(4);
  });

  it('throws InputError for an explicit unknown or empty file, a dir without tick files, a missing path', async () => {
    const u = write('user_data_1.csv', ['timestamp,trade_side,quantity,price,TargetTime,ExpirationTime']);
    await expect(loadInput(u)).rejects.toThrow(InputError);
    await expect(parseOnly(u)).rejects.toThrow(/unknown header/);
    await expect(loadInput(write('e.csv', []))).rejects.toThrow(/unknown header/);
    await expect(loadInput(dir)).rejects.toThrow(/no tick files/);
    await expect(loadInput(join(dir, 'missing.csv'))).rejects.toThrow(InputError);
  });

  it('throws InputError for a corrupt gzip file', async () => {
    const full = gzipSync(CANONICAL_HEADER + '\n' + canon(1, 1).repeat(1) + '\n');
    const path = join(dir, 'broken.csv.gz');
    writeFileSync(path, full.subarray(0, full.length - 12));
    await expect(loadInput(path)).rejects.toThrow(InputError);
  });

  it('converts to canonical CSV (plain and gz) that loads back identically', async () => {
    const src = write('market_data_y.csv', [BORISZ42_HEADER, boris('17', '0.0'), boris('15'), boris('15')]);
    for (const out of [join(dir, 'o', 'out.csv'), join(dir, 'o', 'deep', 'out.csv.gz')]) {
      const res = await convertInput({ input: src, out });
      expect(res.rows).toBe(2);
      expect(res.stats.files[0]?.duplicates).toBe(1);
      const text = out.endsWith('.gz') ? gunzipSync(readFileSync(out)).toString() : readFileSync(out, 'utf8');
      expect(text.split('\n')[0]).toBe(CANONICAL_HEADER);
      expect((await loadInput(out)).rows).toEqual((await loadInput(src)).rows);
    }
  });
});

describe('real borisz42 recording (shared data)', () => {
  it('loads market_data_20251226: counts, window bounds, order, canonical round trip', async () => {
    const { rows, stats } = await loadInput(REAL);
    const f = stats.files[0];
    expect(f).toMatchObject({
      format: 'borisz42',
      rowsRead: 28_494,
      malformed: 0,
      crossed: 0,
      outOfRange: 0,
    });
    expect(f?.duplicates).toBe(9);
    expect(rows).toHaveLength(28_485);
    expect(f?.outsideWindow).toBe(0);
    const outside = rows.filter(
      (r) => r.tsMs < r.windowEpoch * 1000 || r.tsMs > (r.windowEpoch + 900) * 1000,
    );
    expect(outside).toEqual([]);
    expect(rows.every((r) => r.windowSec === 900 && r.crypto === 'BTC' && r.spot === null)).toBe(true);
    expect(rows.every((r, i) => i === 0 || (rows[i - 1] as TickRow).tsMs <= r.tsMs)).toBe(true);
    expect(new Set(rows.map((r) => r.windowEpoch)).size).toBe(32);
    expect(rows.some((r) => r.upBid === null && r.upBidSize === null)).toBe(true);
    expect(await parseOnly(REAL)).toBe(28_494);

    const out = join(dir, 'real.csv.gz');
    expect((await convertInput({ input: REAL, out })).rows).toBe(28_485);
    expect((await loadInput(out)).rows).toEqual(rows);
  });

  it('skips the user_data files of the shared directory', async () => {
    const { stats } = await loadInput(SHARED);
    expect(stats.files.map((x) => x.path.split('/').pop())).toEqual([
      'market_data_20251226.csv.gz',
      'market_data_20251229.csv.gz',
    ]);
    expect(stats.skippedFiles.map((x) => [x.path.split('/').pop(), x.reason])).toEqual([
      ['user_data_20251226.csv.gz', 'notTickData'],
      ['user_data_20251229.csv.gz', 'notTickData'],
    ]);
    // the shared recordings are all on the venue's grid: no row dropped by the issue #9 rules
    for (const f of stats.files) expect([f.cryptoCase, f.unknownInterval, f.offGrid]).toEqual([0, 0, 0]);
  });
});
